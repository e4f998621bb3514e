"""Helpers of the audit log tests: writing entries, tampering behind the application's back."""

from datetime import timedelta

from django.db import connection
from django.utils import timezone

from gonghui.core.audit import audit_record
from gonghui.core.models import AuditAction, AuditEntry

POSTGRES = connection.vendor == "postgresql"


def write_entries(count: int, *, actor=None, action=AuditAction.EXPORT) -> list[AuditEntry]:
    return [
        audit_record(actor=actor, action=action, reason=f"entry {n}") for n in range(1, count + 1)
    ]


def write_old_entry(days: int, *, reason: str = "old") -> AuditEntry:
    """An entry written `days` ago (as if: the chain takes the time given)."""
    entry = AuditEntry(
        action=AuditAction.LOGIN,
        actor_name="system",
        reason=reason,
        at=timezone.now() - timedelta(days=days),
    )
    entry.save()
    return entry


def tamper(sql: str, params: list) -> None:
    """Run SQL on the audit table as someone with database access would: on PostgreSQL a
    superuser first switches triggers off for the session (session_replication_role)."""
    with connection.cursor() as cursor:
        if POSTGRES:
            cursor.execute("SET session_replication_role = replica")
        try:
            cursor.execute(sql, params)
        finally:
            if POSTGRES:
                cursor.execute("SET session_replication_role = origin")
