"""Scope declarations of the insights routes (see core/tests/test_scope_sweep.py).

Dashboards and reports are an org's own pages (`code`); a scheme is placed at its assessing
org and its targets at that org's child orgs, so an officer of the assessing org (or an
ancestor) opens and edits them and anyone outside that subtree gets 404.
"""

from gonghui.orgs.models import OrgKind
from gonghui.orgs.tests.factories import UnionOrgFactory

LISTS = {"insights:dashboard", "insights:assessments"}
DETAILS = {
    "insights:org": lambda c, org: {"code": org.code},
    "insights:org_xlsx": lambda c, org: {"code": org.code},
    "insights:report": lambda c, org: {"code": org.code},
    "insights:scheme": lambda c, org: {"pk": _scheme_at(org).pk},
    "insights:target": lambda c, org: {"pk": _target_under(org).pk},
}
ACTIONS = {
    "insights:scheme_save": lambda c, org: {"code": org.code},
    "insights:target_edit": lambda c, org: {"pk": _target_under(org).pk},
}
# GET /api/v1/insights/orgs/{code}: `code` is declared by the orgs app (an org placed anywhere).
API_PARAMS: dict = {}
API_ACTIONS: dict = {}


def _scheme_at(org):
    from gonghui.insights.models import AssessmentScheme

    return AssessmentScheme.objects.get_or_create(org=org, year=2026)[0]


def _target_under(org):
    """A target `org` gives one of its child orgs (a fresh enterprise union under it)."""
    from gonghui.insights.models import AssessmentTarget

    child = UnionOrgFactory(parent=org, kind=OrgKind.ENTERPRISE, name="考核对象工会")
    return AssessmentTarget.objects.create(scheme=_scheme_at(org), org=child)
