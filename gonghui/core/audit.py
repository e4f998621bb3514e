"""Writing the audit log. Every reveal of personal data, export and import goes through here.

The entry is appended to the hash chain (AuditEntry.save, gonghui.core.auditchain) with ID
numbers and mobile numbers in the reason and detail masked. Appends wait for each other until
the calling transaction commits: call this as the last write of a transaction.
"""

import ipaddress
from typing import Any

from django.db import models, transaction
from django.http import HttpRequest

from gonghui.core.models import AuditAction, AuditEntry
from gonghui.core.ratelimit import client_address
from gonghui.core.redaction import redact_text


@transaction.atomic
def audit_record(
    *,
    actor: Any,
    action: AuditAction,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str = "",
    reason: str = "",
    detail: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> AuditEntry:
    if target is not None:
        target_type = target._meta.label_lower
        target_id = str(target.pk)
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEntry.objects.create(
        actor=actor if is_user else None,
        actor_name=actor.get_username() if is_user else "system",
        action=action,
        target_type=target_type,
        target_id=target_id,
        reason=redact_text(reason)[:500],  # masked before cut, so no half number is left
        detail=detail or {},
        address=_address(request),
    )


def _address(request: HttpRequest | None) -> str | None:
    """The client's address as the rate limits and lockouts see it (behind the configured
    reverse proxies, not the proxy's own); None when there is none or it is not an address."""
    if request is None:
        return None
    address = client_address(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None
