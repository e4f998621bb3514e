"""Staff accounts: creating users for the demo and fixtures, API tokens. The other writes live
in this package's modules (staff, contacts, two_factor, lockouts)."""

from django.db import transaction
from django.utils import timezone

from gonghui.accounts.models import ApiToken, Role, User, hash_token
from gonghui.orgs.models import UnionOrg


@transaction.atomic
def user_create_or_update(
    *, username: str, scope_org: UnionOrg | None, role: Role, password: str
) -> User:
    """Create a staff user, or reset an existing one to this scope, role and password."""
    user, _created = User.objects.get_or_create(username=username)
    user.scope_org = scope_org
    user.role = role
    user.is_active = True
    user.set_password(password)
    user.save()
    return user


@transaction.atomic
def api_token_create(*, user: User, name: str = "") -> str:
    """Create a token for `user` and return the raw key, which is shown only this once."""
    raw = ApiToken.generate()
    ApiToken.objects.create(user=user, name=name, key_hash=hash_token(raw), hint=raw[:7])
    return raw


def api_token_authenticate(*, raw: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user", "user__scope_org")
        .filter(key_hash=hash_token(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # Write the last-use time at most once a minute, so a busy client does not write per request.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
