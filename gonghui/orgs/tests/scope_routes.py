"""Scope declarations of the orgs app's routes (see core/tests/test_scope_sweep.py)."""

from gonghui.orgs.tests.factories import (
    EmployerFactory,
    RemovalCandidateFactory,
    SupervisionItemFactory,
)

PUBLIC = {"healthz", "login", "logout", "set_language", "api:openapi-json", "api:openapi-view"}
LISTS = {
    "home",
    "orgs:tree",
    "orgs:employers",
    "orgs:verification",
    "orgs:supervision",
    "orgs:staffing",
    "orgs:staffing_export",
    "orgs:elections",
    "orgs:ratings",
}
# The rules of organisation work are one row for the whole deployment, not org-owned.
STAFF_ONLY = {"orgs:work_settings": {}}
DETAILS = {
    "orgs:detail": lambda c, org: {"code": org.code},
    "orgs:employer": lambda c, org: {"uscc": EmployerFactory(org=org, community=org).uscc},
    "orgs:supervision_item": lambda c, org: {
        "pk": SupervisionItemFactory(employer__org=org, employer__community=org).pk
    },
}
ACTIONS: dict = {
    "orgs:candidate_decide": lambda c, org: {
        "pk": RemovalCandidateFactory(employer__org=org, employer__community=org).pk
    },
    "orgs:supervision_followup": lambda c, org: {
        "pk": SupervisionItemFactory(employer__org=org, employer__community=org).pk
    },
}
API_PARAMS = {
    "code": lambda c, org: org.code,
    "uscc": lambda c, org: EmployerFactory(org=org, community=org).uscc,
}
API_ACTIONS: dict = {}
