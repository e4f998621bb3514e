"""Backing up the whole database to one file, and restoring such a file into an empty database.

SQLite: the online backup API copies a consistent snapshot while the application keeps
running. PostgreSQL: `pg_dump --format=custom` and `pg_restore`, with the connection settings
of the configured database passed in the environment (PGPASSWORD: never on a command line).

Only the database is in the file. The personal-data keys live in the environment (or
var/pii-keys.env in development) and never in the database, so a stolen backup reveals no ID
number or phone; keep the keys, separately, to read a restored database.
"""

import hashlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.apps import apps
from django.db import connection
from django.utils.translation import gettext as _

from gonghui.core.audit import audit_record
from gonghui.core.models import AuditAction

# The tables whose row counts a summary shows.
MAIN_MODELS = (
    "orgs.UnionOrg",
    "orgs.Employer",
    "members.Member",
    "accounts.User",
    "core.AuditEntry",
)
SQLITE_MAGIC = b"SQLite format 3\x00"
PG_CUSTOM_MAGIC = b"PGDMP"


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why."""


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    engine: str
    size: int
    sha256: str
    tables: int
    rows: dict[str, int] = field(default_factory=dict)  # main tables → rows

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "engine": self.engine,
            "bytes": self.size,
            "sha256": self.sha256,
            "tables": self.tables,
            "rows": self.rows,
        }


def _main_tables() -> dict[str, str]:
    """db table → model label of the main models that are installed."""
    tables = {}
    for label in MAIN_MODELS:
        app_label, _sep, model_name = label.partition(".")
        if apps.is_installed(f"gonghui.{app_label}"):
            tables[apps.get_model(app_label, model_name)._meta.db_table] = label
    return tables


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _counts(cursor: Any, tables: list[str], quote_name: Any) -> dict[str, int]:
    wanted = _main_tables()
    rows = {}
    for table in tables:
        if table in wanted:
            cursor.execute(
                f"SELECT COUNT(*) FROM {quote_name(table)}"
            )  # the model tables, not input
            rows[wanted[table]] = cursor.fetchone()[0]
    return rows


def _live_counts() -> tuple[int, dict[str, int]]:
    """(number of tables, rows of the main ones) of the configured database."""
    tables = connection.introspection.table_names()
    with connection.cursor() as cursor:
        return len(tables), _counts(cursor, tables, connection.ops.quote_name)


def _summary(path: Path, tables: int, rows: dict[str, int]) -> BackupSummary:
    return BackupSummary(path, connection.vendor, path.stat().st_size, _sha256(path), tables, rows)


def _check_target(path: Path) -> None:
    if path.exists():
        raise BackupError(_("%(path)s exists already; choose a new file name.") % {"path": path})
    if not path.parent.is_dir():
        raise BackupError(_("The directory %(dir)s does not exist.") % {"dir": path.parent})


def _audit(action: AuditAction, summary: BackupSummary, actor: Any, detail: dict[str, Any]) -> None:
    audit_record(
        actor=actor,
        action=action,
        target_type="database",
        target_id=str(connection.settings_dict["NAME"])[-64:],
        detail={
            **detail,
            "file": summary.path.name,
            "bytes": summary.size,
            "sha256": summary.sha256,
            "engine": summary.engine,
            "tables": summary.tables,
            "rows": summary.rows,
        },
    )


def database_backup(
    *, path: Path, actor: Any = None, detail: dict[str, Any] | None = None
) -> BackupSummary:
    """Write a backup of the configured database to `path` (a new file), and audit it."""
    path = path.resolve()
    _check_target(path)
    # Written next to the target and renamed at the end: never a half-written backup.
    descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    os.close(descriptor)
    partial = Path(name)
    try:
        if connection.vendor == "sqlite":
            tables, rows = _sqlite_backup(partial)
        elif connection.vendor == "postgresql":
            _run(["pg_dump", "--format=custom", "--no-password", f"--file={partial}"])
            tables, rows = _live_counts()
        else:
            raise BackupError(_("Backups support SQLite and PostgreSQL only."))
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    summary = _summary(path, tables, rows)
    _audit(AuditAction.BACKUP, summary, actor, detail or {})
    return summary


def database_restore(
    *, path: Path, force: bool = False, actor: Any = None, detail: dict[str, Any] | None = None
) -> BackupSummary:
    """Restore a backup file into the configured database, which must be empty unless
    `force` (then it is replaced entirely), and audit it in the restored database."""
    path = path.resolve()
    if not path.is_file():
        raise BackupError(_("File not found: %(path)s") % {"path": path})
    if connection.vendor not in ("sqlite", "postgresql"):
        raise BackupError(_("Backups support SQLite and PostgreSQL only."))
    magic = SQLITE_MAGIC if connection.vendor == "sqlite" else PG_CUSTOM_MAGIC
    with path.open("rb") as handle:
        if handle.read(len(magic)) != magic:
            raise BackupError(
                _("%(path)s is not a backup of a %(engine)s database.")
                % {
                    "path": path,
                    "engine": "SQLite" if connection.vendor == "sqlite" else "PostgreSQL",
                }
            )
    if connection.introspection.table_names() and not force:
        raise BackupError(
            _(
                "The database %(name)s is not empty. Restore into an empty database, or add "
                "--force to replace everything in it."
            )
            % {"name": connection.settings_dict["NAME"]}
        )
    connection.close()
    if connection.vendor == "sqlite":
        _sqlite_restore(path)
    else:
        # One transaction, stopping at the first error: a failed restore leaves nothing behind.
        options = ["--clean", "--if-exists"] if force else []
        options += ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
        _run(["pg_restore", *options, "--no-password", f"--dbname={_pg_name()}", str(path)])
    tables, rows = _live_counts()
    summary = _summary(path, tables, rows)
    _audit(AuditAction.RESTORE, summary, actor, detail or {})
    return summary


# --- SQLite ---


def _sqlite_name() -> str:
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or "mode=memory" in name:
        raise BackupError(_("An in-memory database cannot be backed up or restored."))
    return name


def _sqlite_tables(db: sqlite3.Connection) -> list[str]:
    rows = db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' "
        "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
    )
    return [name for (name,) in rows]


def _sqlite_backup(partial: Path) -> tuple[int, dict[str, int]]:
    # A separate read-only connection sees committed data only, whatever the caller's
    # transaction; one backup step copies every page under one read lock: a consistent snapshot.
    source = sqlite3.connect(f"file:{quote(_sqlite_name())}?mode=ro", uri=True)
    target = sqlite3.connect(partial)
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        tables = _sqlite_tables(target)
        return len(tables), _counts(target.cursor(), tables, lambda n: f'"{n}"')
    finally:
        target.close()
        source.close()


def _sqlite_restore(path: Path) -> None:
    source = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True)
    try:
        if source.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise BackupError(
                _("%(path)s is damaged (SQLite quick_check failed).") % {"path": path}
            )
        target = sqlite3.connect(_sqlite_name())
        try:
            source.backup(target)
            target.execute("PRAGMA journal_mode=WAL")
        finally:
            target.close()
    finally:
        source.close()


# --- PostgreSQL ---


def _pg_name() -> str:
    return str(connection.settings_dict["NAME"])


def _pg_env() -> dict[str, str]:
    """libpq's environment for the configured database: nothing secret on a command line."""
    s = connection.settings_dict
    env = dict(os.environ)
    for var, value in (
        ("PGHOST", s.get("HOST")),
        ("PGPORT", s.get("PORT")),
        ("PGUSER", s.get("USER")),
        ("PGPASSWORD", s.get("PASSWORD")),
        ("PGDATABASE", s["NAME"]),
        ("PGSSLMODE", (s.get("OPTIONS") or {}).get("sslmode")),
    ):
        if value:
            env[var] = str(value)
    return env


def _run(command: list[str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(
            _("%(program)s was not found: install the PostgreSQL client of the server's version.")
            % {"program": command[0]}
        )
    result = subprocess.run(command, env=_pg_env(), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(
            _("%(program)s failed: %(error)s")
            % {"program": command[0], "error": result.stderr.strip()[-2000:]}
        )
