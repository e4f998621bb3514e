"""`gonghui create_channel_client CHANNEL NAME [--org CODE]`: prints a channel client's token."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.appeals.models import Channel
from gonghui.appeals.services.intake import channel_client_create
from gonghui.orgs.models import UnionOrg


class Command(BaseCommand):
    help = gettext_lazy(
        "Register an integration that files appeals for one channel and print its token "
        "(shown only this once; only its hash is stored)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("channel", choices=Channel.values)
        parser.add_argument("name")
        parser.add_argument(
            "--org",
            metavar="CODE",
            help=gettext_lazy(
                "union code of the federation whose subtree it files into (default: the top)"
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["org"]:
            org = UnionOrg.objects.filter(code=options["org"]).first()
        else:
            org = UnionOrg.objects.get_root_nodes().first()
        if org is None:
            raise CommandError(_("No such union organisation; import the union tree first."))
        try:
            _client, token = channel_client_create(
                channel=options["channel"], name=options["name"], org=org
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(token)
