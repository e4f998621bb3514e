"""`gonghui bench_dashboard`: dashboards over 4 M members and 1 M appeals, on PostgreSQL.

1. Generates, set-based (COPY for the org tree, INSERT … SELECT generate_series for the rest),
   a city of its own beside whatever the database holds: 16 districts × 20 streets × 10
   communities × 20 enterprise unions, an employer per union plus employers without one,
   `--members` members (PII columns hold generated tokens), a card for every fourth member and
   `--appeals` appeals spread over the last four years.
2. Times the full rollup refresh (`rollups_refresh`).
3. Times each dashboard query and page for the city, a district and a street over `--runs`
   runs, against a trivial `SELECT 1` measured in the same loop, and prints p50/p95 and the
   ratio to the baseline. Pages are the view functions called in-process (selectors, template
   rendering, XLSX writing), without HTTP and middleware. The target is p95 < 200 ms.
4. Removes everything it generated (`--keep` leaves it).
"""

import statistics
import time
from collections.abc import Callable
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory
from django.utils import timezone
from django.utils.translation import gettext_lazy

from gonghui.accounts.models import Role, User
from gonghui.appeals.models import Category
from gonghui.insights import selectors, views
from gonghui.insights.models import AssessmentScheme, AssessmentTarget, Figure, TreeNode
from gonghui.insights.selectors import Window
from gonghui.insights.services import rollups_refresh
from gonghui.orgs.models import OrgKind, UnionOrg

TARGET_MS = 200.0
ROOT_CODE = "BENCH-CITY"
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _step(n: int) -> str:
    """The 4-character base-36 path step of the n-th child (1-based), as treebeard writes it."""
    text = ""
    while n:
        n, digit = divmod(n, 36)
        text = ALPHABET[digit] + text
    return text.rjust(UnionOrg.steplen, "0")


def _percentile(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def _without_triggers(cursor: Any) -> None:
    """Skip the foreign-key triggers for the rest of this transaction (as pg_restore's
    --disable-triggers does): the rows written or deleted here are the benchmark's own,
    consistent by construction. Needs a superuser; without one the checks simply run."""
    try:
        with transaction.atomic():
            cursor.execute("SET LOCAL session_replication_role = replica")
    except DatabaseError:
        pass


class Command(BaseCommand):
    help = gettext_lazy(
        "Benchmark the dashboards over generated members and appeals (PostgreSQL): rollup "
        "refresh time and p50/p95 of each dashboard query against a trivial query."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--members", type=int, default=4_000_000)
        parser.add_argument("--appeals", type=int, default=1_000_000)
        parser.add_argument("--districts", type=int, default=16)
        parser.add_argument("--streets", type=int, default=20, help="per district")
        parser.add_argument("--communities", type=int, default=10, help="per street")
        parser.add_argument(
            "--unions", type=int, default=20, help="enterprise unions per community"
        )
        parser.add_argument("--runs", type=int, default=30)
        parser.add_argument("--keep", action="store_true", help="leave the generated data")

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("bench_dashboard needs PostgreSQL (DATABASE_URL=postgres://…).")
        self._clean()
        began = time.perf_counter()
        root = self._tree(options)
        self._rows(root, options)
        generated = time.perf_counter() - began
        self.stdout.write(
            f"generated {options['members']:,} members, {options['appeals']:,} appeals "
            f"in {generated:.1f} s"
        )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        run = rollups_refresh()
        self.stdout.write(f"rollup refresh (full): {run.seconds:.1f} s, {run.rows:,} figures")
        try:
            self._measure(root, options["runs"])
        finally:
            if not options["keep"]:
                began = time.perf_counter()
                self._clean()
                self.stdout.write(f"cleaned up in {time.perf_counter() - began:.1f} s")

    # --- generation ----------------------------------------------------------------------------

    def _tree(self, options: dict[str, Any]) -> UnionOrg:
        root = UnionOrg.objects.add_root(
            create_kwargs={
                "kind": OrgKind.CITY,
                "code": ROOT_CODE,
                "name": "基准测试市总工会",
                "region_code": "990000",
            }
        )
        now = timezone.now()
        rows: list[tuple[Any, ...]] = []
        counts = (options["districts"], options["streets"], options["communities"])
        unions = options["unions"]
        levels = [OrgKind.DISTRICT, OrgKind.STREET, OrgKind.COMMUNITY]
        names = ["区总工会", "街道总工会", "社区联合工会"]

        def add(path: str, depth: int, label: str) -> None:
            level = depth - 2
            if level < 3:
                kind, numchild = levels[level], counts[level + 1] if level < 2 else unions
                name, established = f"基准{label}{names[level]}", None
            else:
                kind, numchild = OrgKind.ENTERPRISE, 0
                name = f"基准企业{label}工会"
                serial = int(label.replace("-", ""))
                # Unions established over twelve years, more of them recently.
                established = date(2014 + int((serial % 144) ** 0.5), serial % 12 + 1, 1)
            code = f"B{label}"
            rows.append(
                (path, depth, numchild, kind, code, name, "990000", "", established, "active", now)
            )
            if level < 3:
                children = counts[level + 1] if level < 2 else unions
                for n in range(1, children + 1):
                    add(path + _step(n), depth + 1, f"{label}-{n:02d}")

        for d in range(1, counts[0] + 1):
            add(root.path + _step(d), 2, f"{d:02d}")
        with connection.cursor() as cursor:
            copy_sql = (
                f"COPY {UnionOrg._meta.db_table} (path, depth, numchild, kind, code, name, "
                "region_code, address, established_on, status, updated_at) FROM STDIN"
            )
            with cursor.cursor.copy(copy_sql) as copy:
                for row in rows:
                    copy.write_row(row)
        UnionOrg.objects.filter(pk=root.pk).update(numchild=counts[0])
        root.refresh_from_db()
        return root

    def _rows(self, root: UnionOrg, options: dict[str, Any]) -> None:
        org = UnionOrg._meta.db_table
        category = Category.objects.order_by("pk").values_list("pk", flat=True).first()
        if category is None:
            raise CommandError("No appeal categories: run `gonghui migrate` first.")
        members, appeals = options["members"], options["appeals"]
        prefix = root.path
        with transaction.atomic(), connection.cursor() as cursor:
            _without_triggers(cursor)
            cursor.execute(
                "CREATE TEMP TABLE bench_units ON COMMIT DROP AS "
                f"SELECT row_number() OVER (ORDER BY u.path) AS n, u.id, c.id AS community "
                f"FROM {org} u JOIN {org} c ON c.path = SUBSTR(u.path, 1, LENGTH(u.path) - 4) "
                "WHERE u.path LIKE %s AND u.kind = 'enterprise'",
                [prefix + "%"],
            )
            cursor.execute(
                "CREATE TEMP TABLE bench_communities ON COMMIT DROP AS "
                f"SELECT row_number() OVER (ORDER BY path) AS n, id FROM {org} "
                "WHERE path LIKE %s AND kind = 'community'",
                [prefix + "%"],
            )
            cursor.execute("SELECT count(*) FROM bench_units")
            units = cursor.fetchone()[0]
            cursor.execute("SELECT count(*) FROM bench_communities")
            communities = cursor.fetchone()[0]
            # Employers: one per union (with it), and as many again without a union.
            cursor.execute(
                "INSERT INTO orgs_employer (name, uscc, uscc_check_failed, region_code, "
                "industry, employees, opened_on, address, status, created_at, updated_at, "
                "community_id, org_id, union_id) "
                "SELECT '基准企业' || g, 'BENCH' || lpad(g::text, 13, '0'), false, '990000', "
                "'C', 30 + g %% 200, date '2008-01-01' + ((g * 37) %% 6500)::int, '', "
                "CASE WHEN g %% 25 = 0 THEN 'deregistered' ELSE 'operating' END, now(), now(), "
                "u.community, u.community, CASE WHEN g <= %s THEN u.id END "
                "FROM generate_series(1, %s::bigint) g "
                "JOIN bench_units u ON u.n = (g - 1) %% %s + 1",
                [units, units * 2, units],
            )
            cursor.execute("SELECT COALESCE(MAX(id), 0) FROM members_member")
            before = cursor.fetchone()[0]
            cursor.execute(
                "INSERT INTO members_member (name, name_pinyin, name_initials, id_number, "
                "id_number_index, gender, birth_date, native_region, phone, "
                "phone_index, phone_masked, joined_on, status, source, created_at, updated_at, "
                "org_id) "
                "SELECT '基准' || lpad(g::text, 8, '0'), '', '', 'token' || g, "
                "'B' || lpad(g::text, 31, '0'), "
                "CASE WHEN g %% 2 = 0 THEN 'male' ELSE 'female' END, "
                "date '1965-01-01' + ((g * 13) %% 14000)::int, '990000', '', '', '', "
                # Joined over twelve years, growing: the square root skews towards recent years.
                "date '2014-01-01' + floor(sqrt((g * 7919) %% 1000000) * 4.38)::int, "
                "CASE WHEN g %% 20 = 0 THEN 'lapsed' ELSE 'active' END, 'import', now(), now(), "
                # Members by union, union after union: the (org, status) index grows at its end.
                "u.id FROM generate_series(1, %s::bigint) g JOIN bench_units u "
                "ON u.n = (g - 1) / %s + 1",
                [members, -(-members // units)],
            )
            cursor.execute(
                "INSERT INTO members_membercard (number, status, issued_on, status_changed_at, "
                "member_id, status_note) "
                "SELECT 'B' || lpad(id::text, 17, '0'), "
                "CASE WHEN id %% 40 = 0 THEN 'cancelled' ELSE 'active' END, "
                "COALESCE(joined_on, date '2020-01-01') + 30, now(), id, '' "
                "FROM members_member WHERE id > %s AND id %% 4 = 0 AND status = 'active'",
                [before],
            )
            cursor.execute(
                "INSERT INTO appeals_appeal (tracking_code, channel, nature, name, phone, "
                "phone_index, phone_masked, id_number, id_number_index, id_number_masked, "
                "employer_name, content, workers_involved, urgent, difficulty, received_at, "
                "deadline, status, department, supervised, reply, replied_at, satisfaction, "
                "closed_at, reopen_count, updated_at, org_id, category_id) "
                "SELECT 'BA' || lpad(g::text, 12, '0'), 'hotline', 'request', '基准', 'token', "
                "'B' || lpad(g::text, 12, '0'), '138****0000', '', '', '', '', '基准诉求', 1, "
                "false, 'ordinary', t.at, "
                "t.at::date + 15, "
                "CASE WHEN g %% 10 < 8 THEN 'closed' WHEN g %% 10 = 8 THEN 'in_progress' "
                "ELSE 'received' END, '', false, '', "
                "CASE WHEN g %% 10 < 8 THEN t.at + (g %% 20) * interval '1 day' END, "
                "CASE WHEN g %% 10 < 6 THEN 'satisfied' WHEN g %% 10 = 6 THEN 'dissatisfied' "
                "ELSE '' END, "
                "CASE WHEN g %% 10 < 8 THEN t.at + interval '20 days' END, 0, now(), c.id, %s "
                "FROM generate_series(1, %s::bigint) g "
                "JOIN bench_communities c ON c.n = (g - 1) %% %s + 1 "
                "CROSS JOIN LATERAL (SELECT date_trunc('day', now()) - interval '4 years' "
                "+ ((g * 7919) %% (4 * 365 * 86400)) * interval '1 second' AS at) t",
                [category, appeals, communities],
            )

    # --- measurement ---------------------------------------------------------------------------

    def _measure(self, root: UnionOrg, runs: int) -> None:
        district = UnionOrg.objects.filter(path__startswith=root.path, depth=2).order_by("path")[0]
        street = UnionOrg.objects.filter(path__startswith=district.path, depth=3).order_by("path")[
            0
        ]
        user = User(username="bench_dashboard", role=Role.OFFICER, scope_org=root, is_active=True)
        today = timezone.localdate().replace(day=1)
        scheme = AssessmentScheme.objects.create(org=root, year=today.year)
        AssessmentTarget.objects.bulk_create(
            AssessmentTarget(scheme=scheme, org=d, new_unions=300, new_members=20_000, coverage=60)
            for d in UnionOrg.objects.filter(path__startswith=root.path, depth=2)
        )
        factory = RequestFactory()

        def page(view: Callable[..., Any], url: str, **kwargs: Any) -> Callable[[], Any]:
            def call() -> Any:
                request = factory.get(url)
                request.user = user
                response = view(request, **kwargs)
                if getattr(response, "streaming", False):
                    b"".join(response.streaming_content)
                return response.status_code

            return call

        def baseline() -> None:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()

        window = Window.year_to(today)
        queries: list[tuple[str, Callable[[], Any]]] = [("baseline SELECT 1", baseline)]
        for label, node in (("city", root), ("district", district), ("street", street)):
            queries += [
                (f"{label}: indicators by child org", lambda n=node: selectors.breakdown(
                    user=user, org=n, window=window)),
                (f"{label}: five-year and monthly series", lambda n=node: selectors.series(
                    user=user, org=n, last=today)),
                (f"{label}: dashboard page", page(views.dashboard, "/", code=node.code)),
                (f"{label}: dashboard XLSX", page(views.dashboard_xlsx, "/", code=node.code)),
                (f"{label}: statistical report page", page(views.report, "/", code=node.code)),
            ]  # fmt: skip
        queries.append(
            ("city: assessment scores and ranking", lambda: selectors.scheme_scores(
                scheme, today=timezone.localdate())),
        )  # fmt: skip
        timings: dict[str, list[float]] = {name: [] for name, _call in queries}
        for _name, call in queries:  # warm-up: one run each
            call()
        for _run in range(runs):
            for name, call in queries:
                began = time.perf_counter()
                call()
                timings[name].append((time.perf_counter() - began) * 1000)
        base = statistics.median(timings["baseline SELECT 1"]) or 1e-6
        self.stdout.write(f"{'query':<44} {'p50 ms':>8} {'p95 ms':>8} {'p50/baseline':>13}")
        worst = 0.0
        for name, values in timings.items():
            p50, p95 = statistics.median(values), _percentile(values, 95)
            if name != "baseline SELECT 1":
                worst = max(worst, p95)
            self.stdout.write(f"{name:<44} {p50:8.2f} {p95:8.2f} {p50 / base:13.1f}")
        verdict = "PASS" if worst < TARGET_MS else "FAIL"
        self.stdout.write(
            f"dashboard queries: worst p95 {worst:.1f} ms (target < {TARGET_MS:.0f} ms): {verdict}"
        )

    # --- clean-up ------------------------------------------------------------------------------

    def _clean(self) -> None:
        root = UnionOrg.objects.filter(code=ROOT_CODE).first()
        if root is None:
            return
        like = root.path + "%"
        org = UnionOrg._meta.db_table
        inside = f"IN (SELECT id FROM {org} WHERE path LIKE %s)"
        with transaction.atomic(), connection.cursor() as cursor:
            Figure.objects.filter(path__startswith=root.path).delete()
            TreeNode.objects.filter(path__startswith=root.path).delete()
            _without_triggers(cursor)
            AssessmentScheme.objects.filter(org__path__startswith=root.path).delete()
            cursor.execute(
                "DELETE FROM members_membercard WHERE member_id IN "
                f"(SELECT id FROM members_member WHERE org_id {inside})",
                [like],
            )
            cursor.execute(f"DELETE FROM appeals_appeal WHERE org_id {inside}", [like])
            cursor.execute(f"DELETE FROM members_member WHERE org_id {inside}", [like])
            cursor.execute(f"DELETE FROM orgs_employer WHERE org_id {inside}", [like])
            cursor.execute(f"DELETE FROM {org} WHERE path LIKE %s", [like])
