"""Scope declarations of benefits' routes (see core/tests/test_scope_sweep.py).

The portal pages show the signed-in member's own data only (`gonghui.portal.auth`): without a
signed-in member they send the browser to the portal's sign-in, showing nothing.
"""

LISTS = {
    "benefits:items",
    "benefits:item_new",
    "benefits:segments",
    "benefits:segment_new",
    "benefits:segment_count",
    "benefits:programmes",
    "benefits:programme_new",
    "benefits:applications",
    "benefits:projects",
    "benefits:project_new",
    "benefits:organisations",
    "benefits:events",
    "benefits:event_new",
}
DETAILS = {
    "benefits:item": lambda c, org: {"pk": _item_at(org).pk},
    "benefits:segment": lambda c, org: {"pk": _segment_at(org).pk},
    "benefits:programme": lambda c, org: {"pk": _programme_at(org).pk},
    "benefits:programme_edit": lambda c, org: {"pk": _programme_at(org).pk},
    "benefits:application": lambda c, org: {"code": _application_at(c, org).code},
    "benefits:application_scan": lambda c, org: {"code": _application_at(c, org, scan=True).code},
    "benefits:batch_export": lambda c, org: {"pk": _batch_at(c, org).pk},
    "benefits:project": lambda c, org: {"pk": _project_at(org).pk},
    "benefits:event": lambda c, org: {"pk": _event_at(org).pk},
}
ACTIONS = {
    "benefits:application_decide": lambda c, org: {"code": _application_at(c, org).code},
    "benefits:batch_new": lambda c, org: {"pk": _programme_at(org).pk},
    "benefits:programme_edit": lambda c, org: {"pk": _programme_at(org).pk},
    "benefits:batch_paid": lambda c, org: {"pk": _batch_at(c, org).pk},
    "benefits:project_session_add": lambda c, org: {"pk": _project_at(org).pk},
    "benefits:project_evaluation": lambda c, org: {"pk": _project_at(org).pk},
    "benefits:event_cancel": lambda c, org: {"pk": _event_at(org).pk},
    "benefits:signup_attended": lambda c, org: {"pk": _signup_at(org).pk},
}
OWN_DATA = {
    "benefits:portal_home": lambda c: ({}, None),
    "benefits:portal_items": lambda c: ({}, None),
    "benefits:portal_events": lambda c: ({}, None),
    "benefits:portal_event": lambda c: ({"pk": _event_at(c.other_community).pk}, None),
    "benefits:portal_event_signup": lambda c: ({"pk": _event_at(c.other_community).pk}, {}),
    "benefits:portal_event_cancel": lambda c: ({"pk": _signup_at(c.other_community).event_id}, {}),
    "benefits:portal_event_checkin": lambda c: (
        {"pk": _event_at(c.other_community).pk},
        {"code": "X"},
    ),
    "benefits:portal_subsidies": lambda c: ({}, None),
    "benefits:portal_apply": lambda c: ({"code": _programme_at(c.other_community).code}, None),
    "benefits:portal_application": lambda c: (
        {"code": _application_at(c, c.other_community).code},
        None,
    ),
    "benefits:portal_application_correct": lambda c: (
        {"code": _application_at(c, c.other_community).code},
        None,
    ),
}
API_ACTIONS = {
    "POST /api/v1/subsidy-applications": lambda c, org: ({}, _paper_application(c, org)),
}


def _item_at(org):
    from gonghui.benefits.services.catalogue import item_save

    return item_save(org=org, name=f"{org.name}法律援助", category="legal", provider_kind="union")


def _segment_at(org):
    from gonghui.benefits.services.catalogue import segment_save

    return segment_save(org=org, name=f"{org.name}户外劳动者", rules={"outdoor_worker": True})


def _programme_at(org):
    from gonghui.benefits.tests.helpers import programme_at

    return programme_at(org, code=f"P{org.code}")


def _application_at(city, org, scan=False):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gonghui.benefits.tests.helpers import application_at

    upload = SimpleUploadedFile("证书.pdf", b"%PDF-1.4\n%test\n") if scan else None
    return application_at(org, programme=_programme_at(city.city), scan=upload)


def _batch_at(city, org):
    from gonghui.accounts.models import Role
    from gonghui.accounts.services import user_create_or_update
    from gonghui.benefits.services.subsidies import batch_create, subsidy_decide
    from gonghui.testing import PASSWORD

    clerk = user_create_or_update(
        username=f"clerk{org.code}", scope_org=org, role=Role.OFFICER, password=PASSWORD
    )
    application = _application_at(city, org)
    subsidy_decide(user=clerk, application=application, decision="approve")
    return batch_create(user=clerk, programme=application.programme, org=org)


def _project_at(org):
    from datetime import date
    from decimal import Decimal

    from gonghui.benefits.models import SocialOrganisation
    from gonghui.benefits.services.projects import project_create
    from gonghui.orgs.tests.factories import make_uscc

    organisation = SocialOrganisation.objects.create(
        org=org,
        name=f"{org.name}社工服务中心",
        uscc=make_uscc(SocialOrganisation.objects.count() + 500, "110101"),
    )
    return project_create(
        org=org,
        organisation=organisation,
        name=f"{org.name}职工心理关爱",
        contract_amount=Decimal("200000"),
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
        planned_sessions=20,
    )


def _event_at(org):
    from gonghui.benefits.tests.helpers import event_at

    return event_at(org, title=f"{org.name}健康讲座")


def _signup_at(org):
    from gonghui.benefits.services.events import event_sign_up
    from gonghui.benefits.tests.helpers import member_at

    return event_sign_up(event=_event_at(org), member=member_at(org))


def _paper_application(city, org):
    from gonghui.benefits.tests.helpers import WELDER, certificate, member_at
    from gonghui.core import pii

    member = member_at(org)
    return {
        "programme": _programme_at(city.city).code,
        "id_number": pii.decrypt(member.id_number),
        "certificate_no": certificate(),
        "level": 1,
        "occupation_code": WELDER,
        "issued_on": "2026-01-15",
    }
