"""`gonghui backup` and `gonghui restore`: a round trip into an empty database loses nothing,
and the personal-data keys are never in the backup."""

import base64
import sqlite3
import subprocess
from io import StringIO
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import translation

from gonghui.core import pii
from gonghui.core.audit import audit_record
from gonghui.core.models import AuditAction, AuditEntry
from gonghui.members.tests.factories import MemberFactory, make_id_number, make_phone
from gonghui.testing import database_url, run_gonghui

POSTGRES = connection.vendor == "postgresql"


def backup(path: Path) -> str:
    out = StringIO()
    with translation.override("en"):
        call_command("backup", str(path), stdout=out)
    return out.getvalue()


@pytest.fixture
def empty_database(tmp_path):
    """The URL of a new, empty database of the engine under test (dropped afterwards)."""
    if not POSTGRES:
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    s = connection.settings_dict
    name = f"{s['NAME']}_restore"
    server = f"host={s['HOST'] or '127.0.0.1'} port={s['PORT'] or 5432} user={s['USER']}"
    with psycopg.connect(f"{server} dbname=postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _connect(url: str):
    if url.startswith("sqlite:///"):
        return sqlite3.connect(url.removeprefix("sqlite:///"))
    return psycopg.connect(url.replace("postgres://", "postgresql://"))


def table_counts(url: str) -> dict[str, int]:
    """Rows of every table of the database at `url`, read without Django."""
    db = _connect(url)
    try:
        if url.startswith("sqlite:///"):
            query = (
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        else:
            query = "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        tables = [name for (name,) in db.execute(query).fetchall()]
        return {t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        db.close()


def stored_personal_data(url: str, pks: list[int]) -> dict[int, tuple[str, str]]:
    """pk → (ID number, phone) of members, decrypted from the database at `url`."""
    db = _connect(url)
    try:
        marks = ",".join(str(int(pk)) for pk in pks)
        rows = db.execute(
            f"SELECT id, id_number, phone FROM members_member WHERE id IN ({marks})"
        ).fetchall()
    finally:
        db.close()
    return {pk: (pii.decrypt(id_token), pii.decrypt(phone)) for pk, id_token, phone in rows}


@pytest.fixture
def registry(city, street_officer):
    """Members with encrypted ID numbers and phones, orgs, employers and audit entries.

    pk → the (ID number, phone) each member was registered with.
    """
    plain = {}
    for n in range(15):
        id_number, phone = make_id_number(7000 + n), make_phone(7000 + n)
        org = city.community if n < 12 else city.other_community
        member = MemberFactory(org=org, id_number=id_number, phone=phone, name=f"备份{n}")
        plain[member.pk] = (id_number, phone)
        if n < 4:
            audit_record(
                actor=street_officer,
                action=AuditAction.REVEAL,
                target=member,
                reason="核对",
                detail={"field": "phone"},
            )
    return plain


@pytest.mark.django_db(transaction=True)
def test_a_backup_restored_into_an_empty_database_has_identical_contents(
    registry, empty_database, tmp_path
):
    source = table_counts(database_url())
    path = tmp_path / "gonghui.backup"
    output = backup(path)
    assert "members.Member: 15" in output

    restored = run_gonghui("restore", str(path), DATABASE_URL=empty_database)
    assert restored.returncode == 0, restored.stderr

    # Identical counts in every table; the audit log holds one more entry: the restore's own.
    counts = table_counts(empty_database)
    assert counts == {**source, "core_auditentry": source["core_auditentry"] + 1}
    sample = sorted(registry)[::3]
    assert stored_personal_data(empty_database, sample) == {pk: registry[pk] for pk in sample}
    assert run_gonghui("verify_audit", DATABASE_URL=empty_database).returncode == 0


def _backup_text(path: Path) -> bytes:
    """The backup's contents as bytes to search (a PostgreSQL dump is compressed: expand it)."""
    if not POSTGRES:
        return path.read_bytes()
    return subprocess.run(
        ["pg_restore", "--file=-", str(path)], capture_output=True, check=True
    ).stdout


def _key_spellings() -> list[bytes]:
    keys = [key for _key_id, key in settings.PII_KEYS] + [settings.PII_INDEX_KEY]
    spellings = []
    for key in keys:
        spellings += [key, base64.b64encode(key), base64.urlsafe_b64encode(key).rstrip(b"=")]
        spellings.append(key.hex().encode())
    return spellings


@pytest.mark.django_db(transaction=True)
def test_the_backup_holds_no_key_and_no_plain_personal_data(registry, tmp_path):
    path = tmp_path / "gonghui.backup"
    backup(path)
    content = _backup_text(path)
    assert "备份0".encode() in content  # the search does see the data
    for spelling in _key_spellings():
        assert spelling not in content
    for id_number, phone in registry.values():
        assert id_number.encode() not in content
        assert phone.encode() not in content


@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_are_audited(registry, empty_database, tmp_path):
    path = tmp_path / "gonghui.backup"
    backup(path)
    entry = AuditEntry.objects.get(action=AuditAction.BACKUP)
    assert entry.detail["file"] == "gonghui.backup"
    assert entry.detail["rows"]["members.Member"] == 15
    assert run_gonghui("restore", str(path), DATABASE_URL=empty_database).returncode == 0
    db = _connect(empty_database)
    try:
        (action,) = db.execute(
            "SELECT action FROM core_auditentry ORDER BY id DESC LIMIT 1"
        ).fetchone()
    finally:
        db.close()
    assert action == AuditAction.RESTORE


def test_restore_refuses_a_database_that_is_not_empty(db, tmp_path):
    path = tmp_path / "any.backup"
    path.write_bytes(b"SQLite format 3\x00" if not POSTGRES else b"PGDMP")
    with pytest.raises(CommandError, match="is not empty"), translation.override("en"):
        call_command("restore", str(path))


def test_restore_refuses_a_file_that_is_not_a_backup(db, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    with pytest.raises(CommandError, match="is not a backup"), translation.override("en"):
        call_command("restore", str(path))


def test_backup_refuses_to_overwrite_a_file(db, tmp_path):
    path = tmp_path / "existing.backup"
    path.write_text("keep me")
    with pytest.raises(CommandError, match="exists already"), translation.override("en"):
        backup(path)
    assert path.read_text() == "keep me"
