"""Chain the audit entries written before the hash chain existed, oldest first.

Their reasons and details are masked first (gonghui.core.redaction): from now on they can no
longer be changed. The canonical form is gonghui.core.auditchain's, which never changes.
"""

from django.db import migrations

from gonghui.core.auditchain import GENESIS, entry_hash, normalize_detail
from gonghui.core.redaction import redact_text, redact_value

BATCH = 1000
FIELDS = ["seq", "prev_hash", "hash", "actor_name", "reason", "detail"]


def chain_existing(apps, schema_editor):
    AuditEntry = apps.get_model("core", "AuditEntry")
    entries = AuditEntry.objects.using(schema_editor.connection.alias).order_by("id")
    seq, prev_hash, last_id = 0, GENESIS, 0
    while batch := list(entries.filter(id__gt=last_id)[:BATCH]):
        for entry in batch:
            seq += 1
            entry.seq, entry.prev_hash = seq, prev_hash
            entry.actor_name = redact_text(entry.actor_name)
            entry.reason = redact_text(entry.reason)
            entry.detail = redact_value(normalize_detail(entry.detail))
            entry.hash = prev_hash = entry_hash(
                seq=seq,
                at=entry.at,
                actor_id=entry.actor_id,
                actor_name=entry.actor_name,
                action=entry.action,
                target_type=entry.target_type,
                target_id=entry.target_id,
                reason=entry.reason,
                detail=entry.detail,
                address=entry.address,
                prev_hash=entry.prev_hash,
            )
        AuditEntry.objects.using(schema_editor.connection.alias).bulk_update(batch, FIELDS)
        last_id = batch[-1].id


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_audit_chain"),
    ]

    operations = [
        migrations.RunPython(chain_existing, migrations.RunPython.noop),
    ]
