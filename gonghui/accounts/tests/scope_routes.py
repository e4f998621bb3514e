"""Scope declarations of the accounts app's routes (see core/tests/test_scope_sweep.py).

Staff accounts are placed in the tree by their scope org: another district's account answers
404 (one-argument DETAILS and ACTIONS: inside the scope an officer gets 403, not the page).
The GET pages of one's own account are LISTS (nothing foreign on them); PUBLIC are the
password-reset pages.

STAFF_ONLY are routes that need a login but hold no org-owned object: the POST actions on
one's own account and the administrators' pages (staff list and creation, lockouts, key ids),
which answer 403 to an officer. test_routes.py proves both: an anonymous caller is sent to the
login page, an officer is refused the administrators' pages, and the staff list shows only the
administrator's subtree (test_staff_admin.py).
"""

LISTS = {
    "accounts:account",
    "accounts:contacts",
    "accounts:password_change",
    "accounts:two_factor_verify",
    "accounts:two_factor_setup",
}
PUBLIC = {
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
}
# name → kwargs of the URL.
STAFF_ONLY = {
    "accounts:email_send": {},
    "accounts:email_verify": {"token": "x"},
    "accounts:phone_send": {},
    "accounts:phone_verify": {},
    "accounts:two_factor_remove": {},
    "accounts:backup_codes": {},
    "accounts:staff": {},
    "accounts:staff_create": {},
    "accounts:lockouts": {},
    "accounts:address_unlock": {},
    "accounts:keys": {},
}
ADMIN_PAGES = {
    "accounts:staff",
    "accounts:staff_create",
    "accounts:lockouts",
    "accounts:address_unlock",
    "accounts:keys",
}


def _foreign_account(city):
    from gonghui.accounts.models import Role
    from gonghui.accounts.services import user_create_or_update

    return user_create_or_update(
        username="xicheng_staff",
        scope_org=city.other_district,
        role=Role.OFFICER,
        password="x-pass-1234567",
    )


DETAILS = {
    "accounts:staff_detail": lambda c: {"pk": _foreign_account(c).pk},
    "accounts:staff_edit": lambda c: {"pk": _foreign_account(c).pk},
}
ACTIONS = {
    name: (lambda c: {"pk": _foreign_account(c).pk})
    for name in (
        "accounts:staff_active",
        "accounts:staff_password_link",
        "accounts:staff_role",
        "accounts:staff_2fa_reset",
        "accounts:staff_unlock",
    )
}
