"""Building appeals for tests through the intake service (encryption, routing, history real)."""

from datetime import datetime
from typing import Any

from gonghui.accounts.models import Role, User
from gonghui.accounts.services import user_create_or_update
from gonghui.appeals.models import Appeal
from gonghui.appeals.services.intake import appeal_intake
from gonghui.orgs.models import UnionOrg
from gonghui.testing import PASSWORD

_counter = iter(range(10_000, 10**9))


def phone_for(n: int) -> str:
    return f"137{n:08d}"


def file_appeal(intake_org: UnionOrg, **overrides: Any) -> Appeal:
    n = next(_counter)
    fields: dict[str, Any] = {
        "channel": "hotline",
        "nature": "request",
        "category_code": "wage_arrears",
        "content": "三个月工资未发放",
        "name": f"李明{n}",
        "phone": phone_for(n),
        "intake_org": intake_org,
    }
    fields.update(overrides)
    return appeal_intake(**fields)


def handler(username: str, org: UnionOrg, role: Role = Role.APPEAL_HANDLER) -> User:
    return user_create_or_update(username=username, scope_org=org, role=role, password=PASSWORD)


def at(text: str) -> datetime:
    """A Beijing time: at("2026-01-05 10:00")."""
    from django.utils import timezone

    return timezone.make_aware(datetime.fromisoformat(text))
