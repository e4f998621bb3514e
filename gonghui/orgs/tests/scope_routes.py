"""Scope declarations of the orgs app's routes (see core/tests/test_scope_sweep.py)."""

from gonghui.orgs.tests.factories import EmployerFactory

PUBLIC = {"healthz", "login", "logout", "set_language", "api:openapi-json", "api:openapi-view"}
LISTS = {"home", "orgs:tree", "orgs:employers"}
DETAILS = {
    "orgs:detail": lambda c, org: {"code": org.code},
    "orgs:employer": lambda c, org: {"uscc": EmployerFactory(org=org, community=org).uscc},
}
ACTIONS: dict = {}
API_PARAMS = {
    "code": lambda c, org: org.code,
    "uscc": lambda c, org: EmployerFactory(org=org, community=org).uscc,
}
API_ACTIONS: dict = {}
