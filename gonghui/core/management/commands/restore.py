"""`gonghui restore PATH [--force]`: restore a backup into the configured (empty) database.

The database must be empty (no tables) unless --force, which replaces everything in it. The
restored database must be read with the same personal-data keys as the original.
"""

import getpass
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from gonghui.core.backup import BackupError, database_restore
from gonghui.core.management.commands.backup import print_summary


class Command(BaseCommand):
    help = "Restore a backup made by `gonghui backup` into an empty database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--force", action="store_true", help="replace the contents of a non-empty database"
        )
        parser.add_argument("--json", action="store_true", help="print a machine-readable summary")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = database_restore(
                path=options["path"],
                force=options["force"],
                detail={"command": "restore", "os_user": getpass.getuser()},
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        print_summary(self, _("Restored"), summary, options["json"])
