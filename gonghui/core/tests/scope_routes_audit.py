"""Scope declarations of the audit viewer's routes (see core/tests/test_scope_sweep.py).

The sweep's street officer has no VIEW_AUDIT: for them the audit pages do not exist, so the
list and the export are declared with the pages that answer 404. What an auditor sees of
another subtree is tested in test_audit_viewer.py.
"""

DETAILS = {
    "audit:list": lambda c: {},
    "audit:export": lambda c: {},
    "audit:detail": lambda c: {"pk": _foreign_entry(c).pk},
}


def _foreign_entry(city):
    from gonghui.accounts.services import user_create_or_update
    from gonghui.core.audit import audit_record
    from gonghui.core.models import AuditAction

    actor = user_create_or_update(
        username="other_auditee",
        scope_org=city.other_district,
        role="officer",
        password="x-pass-1234567",
    )
    return audit_record(actor=actor, action=AuditAction.EXPORT, reason="西城导出")
