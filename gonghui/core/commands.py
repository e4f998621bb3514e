"""The shared shape of `gonghui import_*` commands: arguments, summary, exit codes."""

import gc
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable

from gonghui.core.importing import ImportResult
from gonghui.core.tabular import FileUnreadable
from gonghui.orgs.models import UnionOrg


class ImportCommand(BaseCommand):
    """Exit 0 when the file was processed, even with rejected rows; non-zero when it was not.

    A subclass sets `import_service`, a service taking `path`, `scope_org` and `report_path`.
    """

    import_service: Callable[..., ImportResult]
    # Services that take `progress=` get a live row counter unless --json is given; those that
    # also take `writing=` (rows written, rows to write) say so when the check is done.
    reports_progress = False
    reports_writing = False
    # Imports whose rows must hang somewhere in the tree: without --org, under the root.
    needs_scope = True
    # A data command: the system checks (URLs, templates, admin; 0.4 s) belong to `check`,
    # the deploy and the test suite, not to every file loaded from a cron job or a script.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--org",
            metavar="CODE",
            help="import as the federation with this union code (default: the root)",
        )
        parser.add_argument(
            "--errors",
            type=Path,
            metavar="PATH",
            help="where to write the row-level error report (default: beside FILE)",
        )
        parser.add_argument("--json", action="store_true", help="print a machine-readable summary")

    def scope_org(self, code: str | None) -> UnionOrg | None:
        if code is None:
            if not self.needs_scope:
                return None
            # Without --org, rows hang under the single root federation.
            roots = list(UnionOrg.objects.get_root_nodes()[:2])
            if len(roots) != 1:
                raise CommandError(
                    _("Import the union orgs first, or name the federation with --org.")
                )
            return roots[0]
        org = UnionOrg.objects.filter(code=code).first()
        if org is None:
            raise CommandError(_("No union org with code %(code)s.") % {"code": code})
        return org

    def handle(self, *args: Any, **options: Any) -> None:
        gc.enable()  # off while Django set up (gonghui.manage.main)
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(_("File not found: %(path)s") % {"path": path})
        kwargs: dict[str, Any] = {
            "path": path,
            "scope_org": self.scope_org(options["org"]),
            "report_path": options["errors"],
        }
        try:
            if self.reports_progress and not options["json"]:
                with Progress(
                    SpinnerColumn(),
                    TextColumn("{task.description}"),
                    TextColumn("{task.completed:,} " + pgettext("after a count", "rows")),
                    TimeElapsedColumn(),
                    console=Console(file=self.stderr._out),
                ) as bar:  # type: ignore[attr-defined]
                    task = bar.add_task(str(_("Checking")), total=None)
                    if self.reports_writing:
                        writing = bar.add_task(str(_("Writing")), total=None, visible=False)
                        kwargs["writing"] = lambda done, total: bar.update(
                            writing, completed=done, total=total, visible=True
                        )
                    result = type(self).import_service(
                        **kwargs, progress=lambda n: bar.update(task, completed=n)
                    )
            else:
                result = type(self).import_service(**kwargs)
        except FileUnreadable as exc:
            raise CommandError(
                _("%(path)s cannot be imported: %(reason)s") % {"path": path, "reason": exc.reason}
            ) from None
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
            return
        self.print_summary(result)

    def print_summary(self, result: ImportResult) -> None:
        console = Console(file=self.stdout._out, highlight=False)  # type: ignore[attr-defined]
        table = RichTable(show_header=False, box=None)
        for label, value in (
            (_("Rows"), result.rows),
            (_("Created"), result.created),
            (_("Updated"), result.updated),
            (_("Unchanged"), result.unchanged),
            (_("Rejected"), result.rejected),
            (_("Warnings"), len(result.warnings)),
        ):
            table.add_row(str(label), str(value))
        console.print(table)
        for error in result.errors[:20]:
            console.print(
                _("Row %(row)d, %(column)s: %(reason)s")
                % {"row": error.row, "column": error.column or "-", "reason": error.reason}
            )
        if len(result.errors) > 20:
            console.print(_("… and %(n)d more.") % {"n": len(result.errors) - 20})
        if result.error_report:
            console.print(_("Error report: %(path)s") % {"path": result.error_report})
