"""`gonghui generate_pii_keys`: print fresh keys of the personal-data vault as export lines."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core.pii_settings import PII_CIPHERS, export_lines, generated_env


class Command(BaseCommand):
    help = (
        "Print GONGHUI_PII_CIPHER, GONGHUI_PII_KEYS and GONGHUI_PII_INDEX_KEY lines with fresh "
        "random keys, to paste into the environment file of a deployment."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--cipher",
            choices=PII_CIPHERS,
            help="aes (AES-256-GCM) or sm4 (SM4-GCM); default: the configured one",
        )
        parser.add_argument(
            "--rotate",
            action="store_true",
            help=(
                "put a new key in front of the configured GONGHUI_PII_KEYS and keep the "
                "configured index key, then run `gonghui rotate_pii_key`"
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        cipher = options["cipher"] or settings.PII_CIPHER
        if options["rotate"]:
            if cipher != settings.PII_CIPHER:
                raise CommandError(
                    _("--rotate keeps the configured cipher (%(cipher)s).")
                    % {"cipher": settings.PII_CIPHER}
                )
            values = generated_env(
                cipher, today=today, keys=settings.PII_KEYS, index_key=settings.PII_INDEX_KEY
            )
            note = _(
                "Keep the old keys in the list until `gonghui rotate_pii_key` has re-encrypted "
                "every value; never change the index key."
            )
        else:
            values = generated_env(cipher, today=today)
            note = _(
                "Keep these keys safe: without them the encrypted data cannot be read. "
                "To replace a key that is in use, run with --rotate."
            )
        for line in export_lines(values):
            self.stdout.write(line)
        self.stderr.write(note)
