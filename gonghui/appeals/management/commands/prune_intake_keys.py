"""`gonghui prune_intake_keys`: forget channel clients' Idempotency-Keys past their retention
(GONGHUI_APPEAL_INTAKE_KEY_DAYS, default 7); run it daily from a timer."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.appeals.services.intake import intake_keys_prune


class Command(BaseCommand):
    help = gettext_lazy("Forget the channel API's idempotency keys older than the retention.")

    def handle(self, *args: Any, **options: Any) -> None:
        count = intake_keys_prune()
        self.stdout.write(
            _("%(n)d idempotency keys older than %(days)d days forgotten.")
            % {"n": count, "days": settings.APPEALS_INTAKE_KEY_DAYS}
        )
