"""Make the audit log append-only in the database too.

`seq` becomes required and unique (two appends can never take the same number), an index
serves the auditor's filter by actor, and on PostgreSQL (nothing on SQLite) a trigger refuses
every UPDATE and DELETE of an audit entry, except a DELETE by the prune service
(gonghui.core.auditchain.pruning sets the transaction-local `gonghui.audit_prune`) of an
entry older than 184 days, the legal minimum of online retention.
"""

from django.db import migrations, models

CREATE = """
CREATE OR REPLACE FUNCTION core_auditentry_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE'
       AND current_setting('gonghui.audit_prune', true) = 'on'
       AND OLD.at < now() - interval '184 days' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only: % of entry % refused', TG_OP, OLD.id
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER core_auditentry_append_only
    BEFORE UPDATE OR DELETE ON core_auditentry
    FOR EACH ROW EXECUTE FUNCTION core_auditentry_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS core_auditentry_append_only ON core_auditentry;
DROP FUNCTION IF EXISTS core_auditentry_append_only();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)  # no placeholders: the % are plpgsql's

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0007_audit_chain_existing"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditentry",
            name="seq",
            field=models.BigIntegerField(editable=False, unique=True, verbose_name="number"),
        ),
        migrations.AddIndex(
            model_name="auditentry",
            index=models.Index(fields=["actor_name", "at"], name="audit_actor_at"),
        ),
        migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP)),
    ]
