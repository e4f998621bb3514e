"""`gonghui verify_employers FILE [--as-of DATE] [--org CODE] [--json]`: the register
verification (大核查). Idempotent: a second run of the same register changes nothing."""

import argparse
import json
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rich.console import Console
from rich.table import Table

from gonghui.core.commands import ImportCommand
from gonghui.core.tabular import FileUnreadable, parse_date
from gonghui.orgs.services.verification import VerificationResult, register_verify


def _date(text: str) -> date:
    try:
        return parse_date(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("%(value)s is not a date; write it as 2026-12-01.") % {"value": text}
        ) from None


class Command(ImportCommand):
    help = gettext_lazy(
        "Verify the employers against the market-registration register (CSV or XLSX: "
        "统一社会信用代码/uscc, 企业名称/name, 登记状态/status, 成立日期/opened_on, "
        "从业人数/employees, 住所/address): update changed names and addresses with history, add "
        "new employers, list missing or deregistered ones as removal candidates."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--as-of",
            type=_date,
            metavar="DATE",
            help=gettext_lazy("date of the register extract (default: today)"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(_("File not found: %(path)s") % {"path": path})
        scope_org = self.scope_org(options["org"])
        assert scope_org is not None
        try:
            result = register_verify(
                path=path,
                scope_org=scope_org,
                as_of=options["as_of"],
                report_path=options["errors"],
            )
        except FileUnreadable as exc:
            raise CommandError(
                _("%(path)s cannot be imported: %(reason)s") % {"path": path, "reason": exc.reason}
            ) from None
        if options["json"]:
            self.stdout.write(json.dumps(result.summary(), ensure_ascii=False))
            return
        self._print(result)

    def _print(self, result: VerificationResult) -> None:
        console = Console(file=self.stdout._out, highlight=False)  # type: ignore[attr-defined]
        table = Table(show_header=False, box=None)
        labels = {
            "rows": _("Rows"),
            "matched": _("Matched"),
            "new": _("New employers"),
            "updated": _("Updated (name, address, staff, opening date)"),
            "removal_candidates": _("Removal candidates (missing or deregistered)"),
            "unorganized": _("Without a union under the supervision rule"),
            "rejected": _("Rejected"),
        }
        for key, value in result.summary().items():
            table.add_row(str(labels[key]), str(value))
        console.print(table)
        for error in result.errors[:20]:
            console.print(
                _("Row %(row)d, %(column)s: %(reason)s")
                % {"row": error.row, "column": error.column or "-", "reason": error.reason}
            )
        if result.error_report:
            console.print(_("Error report: %(path)s") % {"path": result.error_report})
