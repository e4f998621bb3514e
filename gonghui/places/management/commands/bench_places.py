"""`gonghui bench_places`: time the nearest search with many service points.

Inserts `--points` random points over Beijing's extent (with a mix of 24-hour, office and
overnight hours) inside a transaction that is rolled back at the end, so the database keeps
nothing. Then times `--queries` nearest searches from random positions (limit 10; limit 10 open
now; limit 50) and a brute-force scan (every point read and measured) for comparison, checking
that both give the same order. Prints median and 95th percentile times.
"""

import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from gonghui.orgs.models import OrgKind, UnionOrg
from gonghui.places.geo import haversine_m
from gonghui.places.hours import parse_hours
from gonghui.places.models import PointKind, ServicePoint
from gonghui.places.selectors import nearest_points

_HOURS = [parse_hours(text).to_json() for text in (
    "24h", "周一至周五 08:30-17:30；节假日 休息", "每天 20:00-08:00", "每天 06:00-22:00",
)]  # fmt: skip


class _Rollback(Exception):
    pass


def _timed(run: Callable[[], Any], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return times


class Command(BaseCommand):
    help = "Time the nearest service-point search (nothing is kept)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--points", type=int, default=100_000)
        parser.add_argument("--queries", type=int, default=200)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with transaction.atomic():
                self._run(options["points"], options["queries"], options["seed"])
                raise _Rollback
        except _Rollback:
            pass

    def _run(self, count: int, queries: int, seed: int) -> None:
        rng = random.Random(seed)
        org = UnionOrg.objects.order_by("depth", "pk").first() or UnionOrg.objects.add_root(
            create_kwargs={"code": "BENCH", "name": "bench", "kind": OrgKind.CITY}
        )
        started = time.perf_counter()
        batch = []
        for n in range(count):
            batch.append(ServicePoint(
                code=f"BENCH-{n:07d}", name=f"站点{n}", kind=PointKind.OUTDOOR_STATION, org=org,
                address="北京", lat=rng.uniform(39.4, 41.0), lng=rng.uniform(115.4, 117.5),
                hours=rng.choice(_HOURS),
            ))  # fmt: skip
            if len(batch) == 5000:
                ServicePoint.objects.bulk_create(batch)
                batch = []
        ServicePoint.objects.bulk_create(batch)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {ServicePoint._meta.db_table}")
        total = ServicePoint.objects.filter(status="active").count()
        self.stdout.write(
            f"{total} active points ({connection.vendor}), inserted in "
            f"{time.perf_counter() - started:.1f} s"
        )
        origins = [(rng.uniform(39.6, 40.6), rng.uniform(115.8, 117.1)) for _ in range(queries)]
        at = timezone.localtime()
        every = list(ServicePoint.objects.filter(status="active").values_list("pk", "lat", "lng"))

        def brute(lat: float, lng: float, limit: int) -> list[int]:
            ranked = sorted(every, key=lambda p: (haversine_m(lat, lng, p[1], p[2]), p[0]))
            return [p[0] for p in ranked[:limit]]

        for lat, lng in origins[:20]:
            found = [n.point.pk for n in nearest_points(lat=lat, lng=lng, limit=10, at=at)]
            assert found == brute(lat, lng, 10), "nearest search differs from the brute force"
        cases = {
            "nearest 10": lambda o: nearest_points(lat=o[0], lng=o[1], limit=10, at=at),
            "nearest 10, open now": lambda o: nearest_points(
                lat=o[0], lng=o[1], limit=10, open_now=True, at=at
            ),
            "nearest 50": lambda o: nearest_points(lat=o[0], lng=o[1], limit=50, at=at),
        }
        for label, case in cases.items():
            times = []
            for origin in origins:
                times += _timed(lambda o=origin, c=case: c(o), 1)
            self._report(label, times)

        def scan(o: tuple[float, float]) -> list[int]:
            rows = list(
                ServicePoint.objects.filter(status="active").values_list("pk", "lat", "lng")
            )
            ranked = sorted(rows, key=lambda p: (haversine_m(o[0], o[1], p[1], p[2]), p[0]))
            return [p[0] for p in ranked[:10]]

        self._report(
            "brute-force scan, 10", [_timed(lambda o=o: scan(o), 1)[0] for o in origins[:10]]
        )

    def _report(self, label: str, times: list[float]) -> None:
        ordered = sorted(times)
        p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
        self.stdout.write(
            f"{label}: median {statistics.median(ordered):.1f} ms, p95 {p95:.1f} ms "
            f"({len(ordered)} queries)"
        )
