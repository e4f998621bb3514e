"""`gonghui appeals_escalate`: put overdue, unreplied appeals under supervision (run it from
cron or a timer every few minutes; it does nothing outside service hours)."""

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.appeals.services.escalation import appeals_escalate_overdue


class Command(BaseCommand):
    help = gettext_lazy(
        "Escalate overdue appeals that have not been replied to, inside service hours only."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = appeals_escalate_overdue()
        self.stdout.write(_("%(n)d appeals escalated.") % {"n": count})
