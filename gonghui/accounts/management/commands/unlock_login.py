from django.core.management.base import BaseCommand, CommandError, CommandParser

from gonghui.accounts.services.lockouts import lockout_clear


class Command(BaseCommand):
    help = (
        "Lift the login lockout of a username or of an IP address before its cool-off ends "
        "(recorded in the audit log)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--username", default="")
        target.add_argument("--address", default="", help="IP address")

    def handle(self, *args: object, username: str, address: str, **options: object) -> None:
        if not (username or address):
            raise CommandError("Give --username or --address")
        cleared = lockout_clear(actor=None, username=username, address=address)
        self.stdout.write(f"{cleared} failed-login record(s) removed; the lockout is lifted.")
