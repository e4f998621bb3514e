"""`gonghui backup PATH`: write a backup of the whole database to a new file (audited).

SQLite: an online snapshot (the application may keep running); PostgreSQL: `pg_dump` custom
format. The personal-data keys are not in it: keep them separately.
"""

import getpass
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from gonghui.core.backup import BackupError, BackupSummary, database_backup


def print_summary(command: BaseCommand, title: str, summary: BackupSummary, as_json: bool) -> None:
    if as_json:
        command.stdout.write(json.dumps(summary.as_dict(), ensure_ascii=False))
        return
    command.stdout.write(
        _("%(title)s: %(path)s (%(engine)s, %(mb).1f MB, %(tables)s tables)")
        % {
            "title": title,
            "path": summary.path,
            "engine": summary.engine,
            "mb": summary.size / 1_000_000,
            "tables": summary.tables,
        }
    )
    for label, rows in summary.rows.items():
        command.stdout.write(f"  {label}: {rows:,}")
    command.stdout.write(f"  sha256: {summary.sha256}")


class Command(BaseCommand):
    help = "Back up the whole database to a new file (the PII keys are not in it)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--json", action="store_true", help="print a machine-readable summary")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = database_backup(
                path=options["path"],
                detail={"command": "backup", "os_user": getpass.getuser()},
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        print_summary(self, _("Backup written"), summary, options["json"])
