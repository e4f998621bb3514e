"""Scope declarations of the accounts app's routes (see core/tests/test_scope_sweep.py).

Staff accounts are placed in the tree by their scope org: the sweep asks as the system or
security administrator of the same org, an ancestor, a sibling and another district (404 for the
last two); inside the scope an officer gets 403, not the page (test_routes.py).
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


def _account_at(city, org):
    """An officer's account scoped to `org`, for the administrators to manage."""
    from gonghui.accounts.models import Role
    from gonghui.accounts.services import user_create_or_update

    return user_create_or_update(
        username=f"managed_{org.code}",
        scope_org=org,
        role=Role.OFFICER,
        password="x-pass-1234567",
    )


_SYSTEM = ("accounts:staff_detail", "accounts:staff_edit")
_SYSTEM_ACTIONS = ("accounts:staff_active", "accounts:staff_password_link")
_SECURITY_ACTIONS = ("accounts:staff_role", "accounts:staff_2fa_reset", "accounts:staff_unlock")

DETAILS = {name: (lambda c, org: {"pk": _account_at(c, org).pk}) for name in _SYSTEM}
ACTIONS = {
    name: (lambda c, org: {"pk": _account_at(c, org).pk})
    for name in (*_SYSTEM_ACTIONS, *_SECURITY_ACTIONS)
}
# Officers may not open these pages at all (test_routes.py): the sweep asks as the
# administrator whose duty they are, placed like its officers.
VIEWER_ROLES = {
    **dict.fromkeys((*_SYSTEM, *_SYSTEM_ACTIONS), "system_admin"),
    **dict.fromkeys(_SECURITY_ACTIONS, "security_admin"),
}
