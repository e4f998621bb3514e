"""Scope declarations of the audit viewer's routes (see core/tests/test_scope_sweep.py).

The sweep asks as auditors placed in the tree: an entry is placed by its actor's scope org,
and an auditor sees the entries of their subtree (404 outside it). For anyone without
VIEW_AUDIT the audit pages do not exist (test_audit_viewer.py).
"""

LISTS = {"audit:list", "audit:export"}
DETAILS = {"audit:detail": lambda c, org: {"pk": _entry_at(c, org).pk}}
VIEWER_ROLES = dict.fromkeys((*LISTS, *DETAILS), "auditor")


def _entry_at(city, org):
    from gonghui.accounts.services import user_create_or_update
    from gonghui.core.audit import audit_record
    from gonghui.core.models import AuditAction

    actor = user_create_or_update(
        username=f"auditee_{org.code}",
        scope_org=org,
        role="officer",
        password="x-pass-1234567",
    )
    return audit_record(actor=actor, action=AuditAction.EXPORT, reason=f"{org.name}导出")
