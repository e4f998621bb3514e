"""`gonghui portal_prune_codes`: drop sign-in codes that expired more than a day ago (daily)."""

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from gonghui.portal.services import sign_in_codes_prune


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]
        return _("Drop portal sign-in codes that expired more than a day ago.")

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = sign_in_codes_prune()
        self.stdout.write(_("%(n)d expired sign-in codes dropped.") % {"n": deleted})
