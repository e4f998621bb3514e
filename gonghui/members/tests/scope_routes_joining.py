"""Scope declarations of the joining routes (see core/tests/test_scope_sweep.py)."""

from itertools import count

from gonghui.members.tests.factories import make_id_number, make_phone

# The worker-facing portal: no login, nothing org-owned beyond what the worker typed.
PUBLIC = {"members:portal_join", "members:portal_employers"}
# The worker follows their own application with its lookup code and the phone's last 4 digits
# (the done page: the code this browser session just received).
OWN_DATA = {
    "members:portal_join_status": lambda c: ({}, _someone_elses_code(c)),
    "members:portal_join_done": lambda c: ({}, None),
}
LISTS = {"members:applications"}
DETAILS = {
    "members:application": lambda c, org: {"pk": _application_at(c, org).pk},
}
ACTIONS = {
    "members:application_approve": lambda c, org: {"pk": _application_at(c, org).pk},
    "members:application_reject": lambda c, org: {"pk": _application_at(c, org).pk},
}

_applicants = count(9001)


def _application_at(city, org):
    """A pending application routed to `org` (the community union of a union-less employer)."""
    from gonghui.members.services.joining import join_application_submit
    from gonghui.orgs.tests.factories import EmployerFactory

    seq = next(_applicants)
    return join_application_submit(
        name=f"申请人{seq}",
        id_number=make_id_number(seq, region=org.code[:6]),
        phone=make_phone(seq),
        employer=EmployerFactory(org=org, community=org),
    )


def _someone_elses_code(city):
    """The lookup code of another district's applicant, with the wrong last 4 phone digits."""
    application = _application_at(city, city.other_community)
    wrong = f"{(int(application.phone_masked[-4:]) + 1) % 10_000:04d}"
    return {"code": application.lookup_code, "last4": wrong}
