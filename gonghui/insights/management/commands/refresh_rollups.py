"""`gonghui refresh_rollups [--metric CODE ...] [--enqueue]`: rebuild the dashboards' rollup
tables (set-based), or queue the job for the worker. Schedule it (cron/systemd timer) nightly or
hourly; a metric can be refreshed alone after a large import."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.insights.registry import METRICS
from gonghui.insights.services import rollups_refresh
from gonghui.insights.tasks import refresh_rollups


class Command(BaseCommand):
    help = gettext_lazy("Rebuild the rolled-up figures the dashboards and reports read.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--metric",
            action="append",
            choices=sorted(METRICS),
            help=gettext_lazy("Refresh only this metric (repeatable); all by default."),
        )
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help=gettext_lazy("Queue the refresh for the background worker instead."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        metrics = options["metric"] or None
        if options["enqueue"]:
            result = refresh_rollups.enqueue(metrics=metrics)
            self.stdout.write(_("Queued the rollup refresh (job %(id)s).") % {"id": result.id})
            return
        try:
            run = rollups_refresh(metrics=metrics)
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            _("Refreshed %(metrics)d metrics: %(rows)d figures in %(seconds).2f s.")
            % {"metrics": len(run.metrics.split(",")), "rows": run.rows, "seconds": run.seconds}
        )
