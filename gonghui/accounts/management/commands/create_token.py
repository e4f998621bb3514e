from django.core.management.base import BaseCommand, CommandError, CommandParser

from gonghui.accounts.models import User
from gonghui.accounts.services import api_token_create


class Command(BaseCommand):
    help = "Create an API token for a staff user and print it (it is shown only once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="what the token is for")

    def handle(self, *args: object, username: str, name: str, **options: object) -> None:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active staff user named {username!r}")
        self.stdout.write(api_token_create(user=user, name=name))
