"""`gonghui notify_dispatch`: send the queued messages now (the db_worker job does the same)."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.notify.services import outbox_dispatch


class Command(BaseCommand):
    help = gettext_lazy("Send the queued SMS messages through the configured gateway.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--loop",
            type=float,
            metavar="SECONDS",
            help=gettext_lazy("keep running, looking for due messages every SECONDS"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            result = outbox_dispatch()
            if result.handled:
                self.stdout.write(
                    _("sent %(sent)d, retried later %(retried)d, failed %(failed)d, "
                      "not sent (opted out) %(suppressed)d")
                    % {"sent": result.sent, "retried": result.retried, "failed": result.failed,
                       "suppressed": result.suppressed}
                )  # fmt: skip
            if not options["loop"]:
                return
            time.sleep(options["loop"])
