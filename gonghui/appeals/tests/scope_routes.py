"""Scope declarations of the appeal line's routes (see core/tests/test_scope_sweep.py)."""

from itertools import count

# The worker-facing portal: filing needs no login; following needs the tracking code and the
# last 4 digits of the phone (the done page shows what this browser session just filed).
# The channel intake is no staff operation: only a channel client's token files there, into its
# own org's subtree (gonghui/appeals/tests/test_api.py); a staff token gets 401.
PUBLIC = {"appeals:portal_new", "POST /api/v1/appeals"}
OWN_DATA = {
    "appeals:portal_follow": lambda c: ({}, _someone_elses(c)),
    "appeals:portal_rate": lambda c: ({}, {**_someone_elses(c), "satisfaction": "dissatisfied"}),
    "appeals:portal_done": lambda c: ({}, None),
}
LISTS = {
    "appeals:workbench",
    "appeals:intake",
    "appeals:caller",
    "appeals:employers",
    "appeals:stats",
    "appeals:report",
}
DETAILS = {
    "appeals:detail": lambda c, org: {"tracking_code": _appeal_at(c, org).tracking_code},
    "appeals:attachment": lambda c, org: {"pk": _attachment_at(c, org).pk},
}
ACTIONS = {
    "appeals:act": lambda c, org: {"tracking_code": _code_at(c, org), "action": "accept"},
    "appeals:attach": lambda c, org: {"tracking_code": _appeal_at(c, org).tracking_code},
    "appeals:bulk_assign": lambda c, org: {"code": org.code},
    "appeals:alert_ack": lambda c, org: {"pk": _alert_at(c, org).pk},
}  # fmt: skip
API_PARAMS = {"tracking_code": lambda c, org: _appeal_at(c, org).tracking_code}
_phones = count(1)


def _appeal_at(city, org):
    """An appeal handled by `org` itself: hardship goes to the community joint union."""
    from gonghui.appeals.services.intake import appeal_intake

    return appeal_intake(
        channel="hotline",
        nature="request",
        category_code="hardship",
        content="家庭困难，申请帮扶",
        name="帮扶申请人",
        phone=f"135{next(_phones):08d}",
        org_code=org.code,
        intake_org=city.city,
    )


def _code_at(city, org):
    return _appeal_at(city, org).tracking_code


def _someone_elses(city):
    """Another district's tracking code with digits that are not its phone's last four."""
    return {"code": _code_at(city, city.other_community), "last4": "0000"}


def _attachment_at(city, org):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gonghui.appeals.services.attachments import appeal_attach

    upload = SimpleUploadedFile("工资条.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")
    return appeal_attach(appeal=_appeal_at(city, org), upload=upload)


def _alert_at(city, org):
    from django.utils import timezone

    from gonghui.appeals.models import Alert, AlertKind

    return Alert.objects.create(
        kind=AlertKind.MASS, org=org, appeal=_appeal_at(city, org), raised_at=timezone.now()
    )
