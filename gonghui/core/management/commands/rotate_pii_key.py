"""`gonghui rotate_pii_key`: re-encrypt with the current key every value under an older key.

The encrypted fields are found, not listed: every EncryptedTextField of the installed apps.
A second run finds nothing to do. After it, the old key can be removed from GONGHUI_PII_KEYS.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from gonghui.core import pii

try:
    from gonghui.core import audit
    from gonghui.core.models import AuditAction
except ImportError:  # the audit log is optional here
    audit = None  # type: ignore[assignment]

SHOWN_FAILURES = 20


class Command(BaseCommand):
    help = "Re-encrypt every encrypted field whose key is not the current one."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size",
            type=int,
            default=pii.ROTATION_BATCH,
            help=f"rows per transaction (default {pii.ROTATION_BATCH})",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="only count the values to re-encrypt"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch_size"] < 1:
            raise CommandError(_("--batch-size must be at least 1."))
        console = Console(file=self.stdout._out, highlight=False)  # type: ignore[arg-type]
        current = pii.vault().current_key_id
        fields = pii.encrypted_fields()
        if not fields:
            console.print(_("No encrypted fields are installed; nothing to do."))
            return
        stale = {(model, name): pii.count_stale(model, name) for model, name in fields}
        total = sum(stale.values())
        if options["dry_run"] or total == 0:
            self._print_counts(console, stale, current)
            return

        results: list[pii.Rotation] = []
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=Console(file=self.stderr._out)) as bar:  # type: ignore[arg-type]
            task = bar.add_task(_("Re-encrypting"), total=total)
            for (model, name), count in stale.items():
                if count == 0:
                    results.append(pii.Rotation(model=model._meta.label, field=name))
                    continue
                bar.update(task, description=f"{model._meta.label}.{name}")
                results.append(
                    pii.rotate_model_field(
                        model,
                        name,
                        batch_size=options["batch_size"],
                        progress=lambda n: bar.advance(task, n),
                    )
                )

        table = Table(title=_("Re-encrypted with key %(key)s") % {"key": current})
        for header in (_("Model"), _("Field"), _("Re-encrypted"), _("Failed"), _("Skipped")):
            table.add_column(
                header, justify="left" if header in (_("Model"), _("Field")) else "right"
            )
        for result in results:
            table.add_row(
                result.model,
                result.field,
                f"{result.rotated:,}",
                f"{len(result.failed):,}",
                f"{result.skipped:,}",
            )
        console.print(table)

        rotated = sum(result.rotated for result in results)
        failed = [result for result in results if result.failed]
        if audit is not None and (rotated or failed):
            audit.audit_record(
                actor=None,
                action=AuditAction.KEY_ROTATION,
                target_type="pii",
                reason=f"gonghui rotate_pii_key: re-encrypted with key {current}",
                detail={
                    "key_id": current,
                    "fields": {
                        f"{r.model}.{r.field}": {
                            "rotated": r.rotated,
                            "failed": len(r.failed),
                            "skipped": r.skipped,
                        }
                        for r in results
                    },
                },
            )
        if any(result.skipped for result in results):
            console.print(_("Rows changed while running were skipped; run the command again."))
        if failed:
            for result in failed:
                shown = ", ".join(str(pk) for pk in result.failed[:SHOWN_FAILURES])
                console.print(
                    _("%(model)s.%(field)s: cannot decrypt the rows with primary key %(pks)s")
                    % {"model": result.model, "field": result.field, "pks": shown}
                )
            raise CommandError(
                _(
                    "Some values could not be decrypted (unknown key id or altered); "
                    "they were left unchanged."
                )
            )

    def _print_counts(
        self, console: Console, stale: dict[tuple[Any, str], int], current: str
    ) -> None:
        table = Table(
            title=_("Values not encrypted with the current key %(key)s") % {"key": current}
        )
        table.add_column(_("Model"))
        table.add_column(_("Field"))
        table.add_column(_("To re-encrypt"), justify="right")
        for (model, name), count in stale.items():
            table.add_row(model._meta.label, name, f"{count:,}")
        console.print(table)
