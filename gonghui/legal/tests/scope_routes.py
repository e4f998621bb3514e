"""Scope declarations of the legal services' routes (see core/tests/test_scope_sweep.py)."""

from itertools import count

# The worker's portal: asking needs no login; following needs the lookup code and the last 4
# digits of the phone (the done page shows what this browser session just sent).
PUBLIC = {"legal:portal_new"}
OWN_DATA = {
    "legal:portal_follow": lambda c: ({}, _someone_elses(c)),
    "legal:portal_done": lambda c: ({}, None),
}
LISTS = {
    "legal:workbench",
    "legal:consultations",
    "legal:consultation_new",
    "legal:aid_list",
    "legal:aid_new",
    "legal:disputes",
    "legal:dispute_new",
    "legal:providers",
    "legal:stats",
}
DETAILS = {
    "legal:consultation": lambda c, org: {"pk": _consultation_at(org).pk},
    "legal:aid": lambda c, org: {"pk": _aid_at(org).pk},
    "legal:dispute": lambda c, org: {"pk": _dispute_at(org).pk},
    "legal:document": lambda c, org: {"pk": _document_at(org).case_id, "kind": "summary"},
}
ACTIONS = {
    "legal:consultation_act": lambda c, org: {"pk": _consultation_at(org).pk, "action": "answer"},
    "legal:aid_act": lambda c, org: {"pk": _aid_at(org).pk, "action": "handle"},
    "legal:dispute_act": lambda c, org: {"pk": _dispute_at(org).pk, "action": "step"},
    "legal:from_appeal": lambda c, org: {"tracking_code": _appeal_at(c, org).tracking_code},
}
API_PARAMS = {"dispute_id": lambda c, org: _dispute_at(org).pk}
API_ACTIONS = {
    "POST /api/v1/disputes": lambda c, org: (
        {},
        {
            "dispute_type": "rights",
            "rights_subtype": "contested",
            "employer_name": "某某餐饮店",
            "summary": "拖欠工资两个月",
            "claims": [{"type": "wages", "amount": "8000.00"}],
            "org": org.code,
        },
    ),
    "POST /api/v1/disputes/{dispute_id}/steps": lambda c, org: (
        {"dispute_id": _dispute_at(org).pk},
        {"path": "negotiation", "on": _today(), "outcome": "ongoing"},
    ),
}
_phones = count(1)


def _today() -> str:
    from django.utils import timezone

    return timezone.localdate().isoformat()


def _phone() -> str:
    return f"136{next(_phones):08d}"


def _consultation_at(org):
    from gonghui.legal.services import consultation_create

    return consultation_create(
        org=org, channel="hotline", topic="wages", question="加班费怎么算？", name="咨询人",
        phone=_phone(),
    )  # fmt: skip


def _aid_at(org):
    from gonghui.legal.services import aid_apply

    return aid_apply(
        org=org, name="援助申请人", phone=_phone(), case_type="wages", summary="欠薪三个月",
        hardship=True,
    )  # fmt: skip


def _dispute_at(org):
    from gonghui.legal.services import dispute_create

    return dispute_create(
        user=None, org=org, dispute_type="rights", rights_subtype="contested",
        employer_name="某某餐饮店", summary="拖欠工资两个月",
        claims=[{"type": "wages", "amount": "8000"}],
    )  # fmt: skip


def _document_at(org):
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from gonghui.legal.models import CaseDocument

    document = CaseDocument(
        case=_dispute_at(org), kind="summary", token="t0", generated_at=timezone.now()
    )
    document.file.save("summary.pdf", ContentFile(b"%PDF-1.4\n%test\n"), save=True)
    return document


def _appeal_at(city, org):
    from gonghui.appeals.tests.scope_routes import _appeal_at as appeal_at

    return appeal_at(city, org)


def _someone_elses(city):
    """Another worker's lookup code with digits that are not its phone's last four."""
    return {"code": _consultation_at(city.other_community).code, "last4": "0000"}
