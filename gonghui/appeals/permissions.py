"""Who may work on appeals. Reading follows the scope (gonghui.core.scoping); acting needs a
handling role. (The capability table in gonghui.accounts.capabilities has no appeal capability
yet; the roles are listed here until it does.)"""

from typing import Any

from gonghui.accounts.models import Role

HANDLING_ROLES = frozenset({Role.APPEAL_HANDLER, Role.OFFICER, Role.FEDERATION_ADMIN})
# Who is given appeals to handle when one is dispatched to their org.
ASSIGNABLE_ROLES = (Role.APPEAL_HANDLER, Role.OFFICER)


def can_handle_appeals(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.role in HANDLING_ROLES
