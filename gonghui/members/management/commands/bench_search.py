"""`gonghui bench_search`: how long the member list and its searches take on this registry.

Run it on a loaded registry (e.g. after `gonghui demo --members 4000000`): it times, as a
city-level officer, the member list page and `GET /api/v1/members` unfiltered, by full ID number,
by phone, by name, by full pinyin and by initials, and prints the median and the slowest of
`--runs` requests each. The values searched for are taken from members in the registry. It
writes nothing but an API token and an authenticator (both deleted at the end) and a session.
Figures are printed, never asserted.
"""

import statistics
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from gonghui.accounts.models import ApiToken, User
from gonghui.accounts.services import api_token_create
from gonghui.core import pii
from gonghui.members.models import Member


def _sample(name_prefix: str) -> Member:
    member = (
        Member.objects.filter(name__startswith=name_prefix)
        .exclude(phone="")
        .order_by("pk")
        .only("name", "name_pinyin", "name_initials", "id_number", "phone")
        .first()
    )
    if member is None:
        raise CommandError("No member with a phone in the registry: load the demo first.")
    return member


class Command(BaseCommand):
    help = "Time the member list page and API searches on the registry as it is."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--runs", type=int, default=20)
        parser.add_argument("--user", default="city_admin", help="the officer who searches")

    def _time(
        self, client: Client, url: str, params: dict[str, str], runs: int
    ) -> tuple[float, float, Any]:
        client.get(url, params)  # warm the caches once, as a busy server has them
        times = []
        for _run in range(runs):
            start = time.perf_counter()
            response = client.get(url, params)
            times.append((time.perf_counter() - start) * 1000)
            if response.status_code != 200:
                raise CommandError(f"{url} {params}: HTTP {response.status_code}")
        count: Any = response.json().get("count") if "api" in url else "-"
        return statistics.median(times), max(times), count

    def handle(self, *args: Any, runs: int, user: str, **options: Any) -> None:
        officer = User.objects.filter(username=user).first()
        if officer is None:
            raise CommandError(f"No user {user!r}: load the demo first.")
        total = Member.objects.count()
        member = _sample("张")
        id_number, phone = pii.decrypt(member.id_number), pii.decrypt(member.phone)
        host = {"HTTP_HOST": settings.ALLOWED_HOSTS[0], "secure": True}
        raw = api_token_create(user=officer, name="bench_search")
        api = Client(headers={"Authorization": f"Bearer {raw}"}, **host)
        page = Client(**host)
        page.force_login(officer)
        # The session as after a login with the second factor, through a device of its own
        # (random key, deleted at the end).
        device = TOTPDevice.objects.create(user=officer, name="bench_search", confirmed=True)
        session = page.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        surname = member.name[:1]
        cases = [
            ("list page", page, "/members/", {}),
            ("list page, name", page, "/members/", {"q": member.name}),
            ("API list", api, "/api/v1/members", {}),
            ("API ?id_number=", api, "/api/v1/members", {"id_number": id_number}),
            ("API ?phone=", api, "/api/v1/members", {"phone": phone}),
            ("API ?q= name", api, "/api/v1/members", {"q": member.name}),
            ("API ?q= surname", api, "/api/v1/members", {"q": surname}),
            ("API ?q= pinyin", api, "/api/v1/members", {"q": member.name_pinyin}),
            ("API ?q= initials", api, "/api/v1/members", {"q": member.name_initials}),
        ]
        self.stdout.write(f"{total:,} members; {runs} requests each as {officer.username}")
        try:
            for label, client, url, params in cases:
                median, slowest, count = self._time(client, url, params, runs)
                self.stdout.write(
                    f"{label:<20} median {median:6.1f} ms, slowest {slowest:6.1f} ms"
                    f" (count {count})"
                )
        finally:
            ApiToken.objects.filter(user=officer, name="bench_search").delete()
            device.delete()
