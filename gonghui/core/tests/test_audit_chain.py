"""The audit log is hash-chained and append-only; `gonghui verify_audit` finds any tampering."""

import json
import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation

from gonghui.core.audit import audit_record
from gonghui.core.audit_selectors import audit_chain_verify
from gonghui.core.auditchain import GENESIS, AppendOnlyError, Problem, entry_hash
from gonghui.core.models import AuditAction, AuditEntry
from gonghui.core.tests.auditing import POSTGRES, tamper, write_entries
from gonghui.testing import run_gonghui

pg_only = pytest.mark.skipif(not POSTGRES, reason="the trigger exists on PostgreSQL only")


def verify(*args: str) -> str:
    out = StringIO()
    with translation.override("en"):
        call_command("verify_audit", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_each_entry_carries_the_hash_of_the_one_before(db):
    first, second = write_entries(2)
    assert (first.seq, first.prev_hash) == (1, GENESIS)
    assert (second.seq, second.prev_hash) == (2, first.hash)
    assert len(second.hash) == 64


def test_an_intact_log_verifies_with_its_count_and_head(db):
    entries = write_entries(5)
    output = verify()
    assert "Audit log intact: 5 entries" in output
    assert entries[-1].hash in output


def test_the_hash_covers_the_content_as_read_back_from_the_database(db, street_officer):
    entry = audit_record(
        actor=street_officer,
        action=AuditAction.REVEAL,
        target_type="members.member",
        target_id="7",
        reason="核对信息",
        detail={"field": "phone", "nested": {"b": [1, 2.5, None], "a": "中文"}},
    )
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.hash == entry_hash(
        seq=stored.seq,
        at=stored.at,
        actor_id=stored.actor_id,
        actor_name=stored.actor_name,
        action=stored.action,
        target_type=stored.target_type,
        target_id=stored.target_id,
        reason=stored.reason,
        detail=stored.detail,
        address=stored.address,
        prev_hash=stored.prev_hash,
    )


def test_an_ipv6_address_verifies_after_the_round_trip(db, rf):
    request = rf.get("/", REMOTE_ADDR="2001:DB8:0:0:0:0:0:1")
    audit_record(actor=None, action=AuditAction.EXPORT, request=request)
    audit_record(actor=None, action=AuditAction.EXPORT, request=rf.get("/"))
    assert audit_chain_verify().intact


def test_a_row_changed_in_the_database_fails_verification_naming_it(db):
    entries = write_entries(5)
    tamper("UPDATE core_auditentry SET reason = %s WHERE id = %s", ["nothing", entries[2].id])
    with pytest.raises(CommandError) as failure:
        verify()
    message = str(failure.value)
    assert f"Audit entry 3 (id {entries[2].id}," in message
    assert "was changed after it was written" in message


def test_a_row_deleted_in_the_database_fails_verification_naming_the_gap(db):
    entries = write_entries(5)
    tamper("DELETE FROM core_auditentry WHERE id = %s", [entries[1].id])
    with pytest.raises(CommandError) as failure:
        verify()
    message = str(failure.value)
    assert f"Audit entry 3 (id {entries[2].id}," in message
    assert "from number 2 on, were removed" in message


def test_a_changed_row_with_its_hash_recomputed_breaks_the_next_link(db):
    entries = write_entries(4)
    changed = entries[1]
    forged = entry_hash(
        seq=changed.seq,
        at=changed.at,
        actor_id=None,
        actor_name="system",
        action=changed.action,
        target_type="",
        target_id="",
        reason="forged",
        detail={},
        address=None,
        prev_hash=changed.prev_hash,
    )
    tamper(
        "UPDATE core_auditentry SET reason = 'forged', hash = %s WHERE id = %s",
        [forged, changed.id],
    )
    result = audit_chain_verify()
    assert result.broken is not None
    assert (result.broken.id, result.broken.problem) == (entries[2].id, Problem.RELINKED)
    assert result.broken.previous_id == changed.id


def test_removing_the_oldest_rows_without_a_pruning_is_detected(db):
    entries = write_entries(4)
    tamper("DELETE FROM core_auditentry WHERE id <= %s", [entries[1].id])
    result = audit_chain_verify()
    assert result.broken is not None
    assert (result.broken.id, result.broken.problem) == (entries[2].id, Problem.UNANCHORED)


def test_verify_json_names_the_broken_entry(db):
    entries = write_entries(3)
    tamper("UPDATE core_auditentry SET actor_name = 'x' WHERE id = %s", [entries[0].id])
    out = StringIO()
    with pytest.raises(CommandError), translation.override("en"):
        call_command("verify_audit", "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert result["intact"] is False
    assert result["broken"]["id"] == entries[0].id
    assert result["broken"]["problem"] == "changed"
    assert "changed after it was written" in result["broken"]["message"]


@pytest.mark.django_db(transaction=True)
def test_verify_audit_exits_non_zero_on_a_tampered_log():
    entries = write_entries(3)
    assert run_gonghui("verify_audit").returncode == 0
    tamper("UPDATE core_auditentry SET reason = 'x' WHERE id = %s", [entries[1].id])
    result = run_gonghui("verify_audit")
    assert result.returncode != 0
    assert f"id {entries[1].id}" in result.stderr


def test_the_application_refuses_to_change_an_entry(db):
    (entry,) = write_entries(1)
    entry.reason = "changed"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(reason="changed")
    assert AuditEntry.objects.get(pk=entry.pk).reason == "entry 1"


def test_the_application_refuses_to_remove_an_entry(db):
    (entry,) = write_entries(1)
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.count() == 1


def test_entries_are_not_bulk_created_outside_the_chain(db):
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.bulk_create([AuditEntry(action=AuditAction.EXPORT)])


@pg_only
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE core_auditentry SET reason = 'changed' WHERE id = %s",
        "DELETE FROM core_auditentry WHERE id = %s",
    ],
)
def test_postgresql_refuses_raw_updates_and_deletes(db, sql):
    (entry,) = write_entries(1)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [entry.id])
    assert AuditEntry.objects.get(pk=entry.pk).reason == "entry 1"


@pg_only
def test_postgresql_refuses_even_the_prune_switch_for_a_recent_entry(db):
    (entry,) = write_entries(1)
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('gonghui.audit_prune', 'on', true)")
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [entry.id])
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_verifiable_chain():
    writers, per_writer, errors = 6, 15, []

    def write(n: int) -> None:
        try:
            for i in range(per_writer):
                audit_record(actor=None, action=AuditAction.EXPORT, reason=f"writer {n} #{i}")
        except Exception as exc:  # reported below: a forked chain fails on the unique seq
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    result = audit_chain_verify()
    assert result.intact
    assert result.entries == writers * per_writer
    seqs = list(AuditEntry.objects.order_by("id").values_list("seq", flat=True))
    assert seqs == list(range(1, writers * per_writer + 1))


@pytest.mark.django_db(transaction=True)
def test_entries_written_before_the_chain_are_chained_and_masked_by_the_migration():
    before, chained = ("core", "0005_ratelimitbucket"), ("core", "0008_audit_append_only")
    executor = MigrationExecutor(connection)
    executor.migrate([before])
    old = executor.loader.project_state([before]).apps.get_model("core", "AuditEntry")
    for reason in ("first", "回访 13812345678", "third"):
        old.objects.create(action="export", actor_name="system", reason=reason)
    executor = MigrationExecutor(connection)
    executor.migrate([chained])
    executor.loader.build_graph()
    MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())
    result = audit_chain_verify()
    assert result.intact
    assert result.entries == 3
    assert list(AuditEntry.objects.order_by("id").values_list("seq", "reason")) == [
        (1, "first"),
        (2, "回访 138****5678"),
        (3, "third"),
    ]
