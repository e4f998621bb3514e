"""`gonghui prune_audit --before DATE | --older-than DAYS`: remove audit entries past retention.

A cut-off inside the online retention (GONGHUI_AUDIT_RETENTION_DAYS, at least 184 days) is
refused. The pruning is recorded in the log, so `gonghui verify_audit` still passes.
"""

import getpass
import json
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from gonghui.core.audit_services import PRUNE_BATCH, PruneResult, RetentionError, audit_prune


class Command(BaseCommand):
    help = "Remove the audit entries older than a cut-off past the online retention."

    def add_arguments(self, parser: CommandParser) -> None:
        cutoff = parser.add_mutually_exclusive_group(required=True)
        cutoff.add_argument(
            "--before",
            type=date.fromisoformat,
            metavar="YYYY-MM-DD",
            help="remove the entries written before this day (local time)",
        )
        cutoff.add_argument(
            "--older-than", type=int, metavar="DAYS", help="remove the entries older than DAYS"
        )
        parser.add_argument(
            "--batch-size", type=int, default=PRUNE_BATCH, help="entries per DELETE statement"
        )
        parser.add_argument("--json", action="store_true", help="print a machine-readable result")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch_size"] < 1:
            raise CommandError(_("--batch-size must be at least 1."))
        if options["before"] is not None:
            before = timezone.make_aware(datetime.combine(options["before"], time.min))
        else:
            before = timezone.now() - timedelta(days=options["older_than"])
        kwargs: dict[str, Any] = {
            "before": before,
            "batch_size": options["batch_size"],
            "detail": {"command": "prune_audit", "os_user": getpass.getuser()},
        }
        try:
            prune = audit_prune if options["json"] else self._prune_with_progress
            result = prune(**kwargs)
        except RetentionError as exc:
            raise CommandError(str(exc)) from None
        if options["json"]:
            self.stdout.write(
                json.dumps({"deleted": result.deleted, "last_pruned_seq": result.last_pruned_seq})
            )
        elif result.deleted:
            self.stdout.write(
                _("Removed %(n)s audit entries, up to number %(seq)s; the pruning is recorded.")
                % {"n": f"{result.deleted:,}", "seq": result.last_pruned_seq}
            )
        else:
            self.stdout.write(_("No audit entry is older than the cut-off; nothing removed."))

    def _prune_with_progress(self, **kwargs: Any) -> PruneResult:
        columns = (SpinnerColumn(), TextColumn("{task.description}"))
        console = Console(file=self.stderr._out)  # type: ignore[arg-type]
        with Progress(*columns, TimeElapsedColumn(), console=console) as bar:
            task = bar.add_task(_("Pruning"), total=None)
            return audit_prune(
                **kwargs,
                progress=lambda n: bar.update(
                    task, description=_("Pruning: %(n)s removed") % {"n": f"{n:,}"}
                ),
            )
