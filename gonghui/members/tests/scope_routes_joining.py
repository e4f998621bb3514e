"""Scope declarations of the joining routes (see core/tests/test_scope_sweep.py)."""

from gonghui.members.tests.factories import make_id_number, make_phone

# The worker-facing portal: no login, nothing org-owned beyond what the worker typed.
PUBLIC = {
    "members:portal_join",
    "members:portal_join_done",
    "members:portal_join_status",
    "members:portal_employers",
}
LISTS = {"members:applications"}
DETAILS = {
    "members:application": lambda c: {"pk": _foreign_application(c).pk},
}
ACTIONS = {
    "members:application_approve": lambda c: {"pk": _foreign_application(c).pk},
    "members:application_reject": lambda c: {"pk": _foreign_application(c).pk},
}


def _foreign_application(city):
    from gonghui.members.services.joining import join_application_submit

    # The other district's employer has no union: routed to 府右街社区联合工会.
    return join_application_submit(
        name="西城申请人",
        id_number=make_id_number(9001, region="110102"),
        phone=make_phone(9001),
        employer=city.other_employer,
    )
