"""Scope declarations of the orgs app's routes (see core/tests/test_scope_sweep.py)."""

PUBLIC = {"healthz", "login", "logout", "set_language", "api:openapi-json", "api:openapi-view"}
LISTS = {"home", "orgs:tree", "orgs:employers"}
DETAILS = {
    "orgs:detail": lambda c: {"code": c.other_district.code},
    "orgs:employer": lambda c: {"uscc": c.other_employer.uscc},
}
ACTIONS: dict = {}
API_PARAMS = {
    "code": lambda c: c.other_district.code,
    "uscc": lambda c: c.other_employer.uscc,
}
API_ACTIONS: dict = {}
