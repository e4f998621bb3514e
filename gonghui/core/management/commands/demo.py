"""`gonghui demo`: build a deterministic synthetic city federation, show the logins, serve it.

The data (gonghui.orgs.demo) goes through the same import services as a federation's CSV files,
so a re-run on an existing database changes nothing and duplicates nothing.
"""

import argparse
import secrets
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from gonghui.accounts.models import Role, User
from gonghui.accounts.services import user_create_or_update
from gonghui.appeals.demo import DEFAULT_APPEALS, load_appeals
from gonghui.benefits.demo import DEFAULT_APPLICATIONS, load_benefits
from gonghui.core.importing import ImportResult
from gonghui.insights.demo import insights_demo
from gonghui.legal.demo import DEFAULT_LEGAL_CASES, load_legal
from gonghui.members.demo import FIELDS, as_raw_rows, generate_members
from gonghui.members.pool import row_chunks
from gonghui.members.services.cards import card_bulk_issue
from gonghui.members.services.registry import member_import_records
from gonghui.orgs.demo import (
    CITY_CODE,
    ENTERPRISE_UNION_STAFF,
    DemoData,
    generate_demo,
    load_org_work,
)
from gonghui.orgs.models import Employer, EmployerStatus, OrgKind, UnionOrg
from gonghui.orgs.services import employer_import_rows, org_import_rows
from gonghui.places.demo import DEFAULT_POINTS, load_places

# From this many members on, the demo loads them like a large file (worker processes, bulk load).
LARGE_DEMO = 100_000
DEFAULT_SEED = 2026
DEFAULT_EMPLOYERS = 3000
DEFAULT_MEMBERS = 20_000
EMPLOYER_CHUNK = 500
SUPERVISION_YEARS = 5


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: Role
    scope_code: str
    last_name: str
    first_name: str


# The first street of 东城区 is 东华门街道 and its first community has code …001001.
DEMO_USERS = (
    DemoUser("city_admin", Role.FEDERATION_ADMIN, CITY_CODE, "王", "建华"),
    DemoUser("district_officer", Role.OFFICER, "110101", "李", "秀英"),
    DemoUser("street_officer", Role.OFFICER, "110101001", "张", "伟"),
    DemoUser("community_officer", Role.OFFICER, "110101001001", "刘", "芳"),
    # Separation of duties: the three administrators of the city federation.
    DemoUser("system_admin", Role.SYSTEM_ADMIN, CITY_CODE, "赵", "磊"),
    DemoUser("security_admin", Role.SECURITY_ADMIN, CITY_CODE, "孙", "丽"),
    DemoUser("auditor", Role.AUDITOR, CITY_CODE, "周", "敏"),
)


@dataclass
class DemoLoad:
    """What the import services reported, and the staff users that were set up."""

    orgs: ImportResult
    employers: ImportResult
    users: list[User] = field(default_factory=list)
    members: ImportResult = field(default_factory=ImportResult)


Advance = Callable[[str, int], None]


def load_demo(data: DemoData, *, password: str, advance: Advance | None = None) -> DemoLoad:
    """Write `data` through the import services and set up the demo staff users, all or nothing.

    `advance(step, n)` reports progress: step is "orgs", "employers" or "users"; n == 0 when the
    step begins, then the number of rows or users done since the last report.
    """
    report = advance or (lambda step, n: None)
    with transaction.atomic():
        report("orgs", 0)
        orgs = org_import_rows(rows=data.org_rows(), scope_org=None)
        _refuse_rejects(orgs)
        report("orgs", len(data.orgs))
        city = UnionOrg.objects.get(code=CITY_CODE)
        report("employers", 0)
        employers = ImportResult()
        rows = data.employer_rows()
        for start in range(0, len(rows), EMPLOYER_CHUNK):
            chunk = rows[start : start + EMPLOYER_CHUNK]
            _add(employers, employer_import_rows(rows=chunk, scope_org=city))
            report("employers", len(chunk))
        _refuse_rejects(employers)
        scopes = {
            org.code: org
            for org in UnionOrg.objects.filter(code__in=[spec.scope_code for spec in DEMO_USERS])
        }
        report("users", 0)
        users = []
        for spec in DEMO_USERS:
            user = user_create_or_update(
                username=spec.username,
                scope_org=scopes[spec.scope_code],
                role=spec.role,
                password=password,
            )
            user.first_name, user.last_name = spec.first_name, spec.last_name
            user.save(update_fields=["first_name", "last_name"])
            users.append(user)
            report("users", 1)
    return DemoLoad(orgs=orgs, employers=employers, users=users)


def load_members(
    *, count: int, seed: int, today: date, progress: Callable[[int], None] | None = None
) -> ImportResult:
    """Generate `count` members through the member import (idempotent like every import)."""
    city = UnionOrg.objects.get(code=CITY_CODE)
    employers = list(
        Employer.objects.filter(org__path__startswith=city.path, union__isnull=False)
        .order_by("uscc")
        .values_list("uscc", "union__code", "opened_on")
    )
    large = count >= LARGE_DEMO
    result = member_import_records(
        chunks=lambda: row_chunks(
            as_raw_rows(generate_members(count=count, employers=employers, seed=seed, today=today)),
            settings.MEMBER_IMPORT_CHUNK,
        ),
        fields={name: index for index, name in enumerate(FIELDS)},
        scope_org=city,
        progress=progress,
        bulk_load=large,
        workers=settings.MEMBER_IMPORT_WORKERS if large else 0,
    )
    # Most members carry the card; those who joined in the last year wait for the next batch.
    admin = User.objects.get(username="city_admin")
    card_bulk_issue(user=admin, org=city, joined_before=years_before(today, 1))
    return result


def _add(total: ImportResult, part: ImportResult) -> None:
    total.rows += part.rows
    total.created += part.created
    total.updated += part.updated
    total.unchanged += part.unchanged
    total.rejected += part.rejected
    total.errors.extend(part.errors)
    total.warnings.extend(part.warnings)


def _refuse_rejects(result: ImportResult) -> None:
    """A rejected demo row is a bug in the generator: roll everything back and say which."""
    if not result.rejected:
        return
    lines = [
        _("Row %(row)d, %(column)s = %(value)s: %(reason)s")
        % {"row": e.row, "column": e.column, "value": e.value, "reason": e.reason}
        for e in result.errors[:5]
    ]
    raise CommandError(
        ngettext(
            "The import refused %(n)d demo row; nothing was written.",
            "The import refused %(n)d demo rows; nothing was written.",
            result.rejected,
        )
        % {"n": result.rejected}
        + "\n"
        + "\n".join(lines)
    )


def check_database() -> None:
    """Refuse to run on a database that `gonghui migrate` has not set up (we never migrate)."""
    try:
        tables = set(connection.introspection.table_names())
    except DatabaseError as exc:
        raise CommandError(_("Cannot open the database: %(error)s") % {"error": exc}) from None
    needed = {model._meta.db_table for model in (UnionOrg, Employer, User)}
    if not needed <= tables:
        raise CommandError(
            _("The database has no Gonghui tables yet: run `gonghui migrate` first.")
        )
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        raise CommandError(
            ngettext(
                "The database is %(n)d migration behind: run `gonghui migrate` first.",
                "The database is %(n)d migrations behind: run `gonghui migrate` first.",
                len(pending),
            )
            % {"n": len(pending)}
        )


@dataclass(frozen=True)
class DemoStats:
    orgs_by_kind: dict[str, int]
    employers: int
    operating: int
    covered: int  # operating, with their own union or a community/joint union
    unorganised: int  # operating ≥5 years, ≥25 staff, no union: the supervision list

    @property
    def coverage(self) -> float | None:
        return self.covered / self.operating if self.operating else None


def demo_stats(*, today: date) -> DemoStats:
    """Counts over the demo city's subtree."""
    city = UnionOrg.objects.get(code=CITY_CODE)
    orgs = (
        UnionOrg.objects.filter(path__startswith=city.path)
        .order_by()  # the tree manager orders by path, which would split the groups
        .values_list("kind")
        .annotate(n=Count("id"))
    )
    employers = Employer.objects.filter(org__path__startswith=city.path)
    operating = Q(status=EmployerStatus.OPERATING)
    counts = employers.aggregate(
        total=Count("id"),
        operating=Count("id", filter=operating),
        covered=Count("id", filter=operating & Q(union__isnull=False)),
        unorganised=Count(
            "id",
            filter=operating
            & Q(union__isnull=True, employees__gte=ENTERPRISE_UNION_STAFF,
                opened_on__lte=years_before(today, SUPERVISION_YEARS)),
        ),
    )  # fmt: skip
    return DemoStats(
        orgs_by_kind=dict(orgs),
        employers=counts["total"],
        operating=counts["operating"],
        covered=counts["covered"],
        unorganised=counts["unorganised"],
    )


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _non_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("%(value)s is not a whole number.") % {"value": text}
        ) from None
    if value < 0:
        raise argparse.ArgumentTypeError(_("%(value)s is negative.") % {"value": text})
    return value


def _port(text: str) -> int:
    value = _non_negative(text)
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(_("A port is a number from 1 to 65535."))
    return value


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]
        return _(
            "Build a deterministic synthetic city federation (Beijing: districts, streets, "
            "communities, joint and industry unions, employers, staff logins) through the "
            "import services, then serve the site. Safe to re-run: nothing is duplicated."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help=gettext_lazy(
                "random seed; the same seed gives the same data (default %(default)s)"
            ),
        )
        parser.add_argument(
            "--employers",
            type=_non_negative,
            default=DEFAULT_EMPLOYERS,
            metavar="N",
            help=gettext_lazy("number of employers to generate (default %(default)s)"),
        )
        parser.add_argument(
            "--members",
            type=_non_negative,
            default=DEFAULT_MEMBERS,
            metavar="N",
            help=gettext_lazy("number of members to generate (default %(default)s)"),
        )
        parser.add_argument(
            "--appeals",
            type=_non_negative,
            default=DEFAULT_APPEALS,
            metavar="N",
            help=gettext_lazy("number of 12351 appeals over 18 months (default %(default)s)"),
        )
        parser.add_argument(
            "--legal-cases",
            type=_non_negative,
            default=DEFAULT_LEGAL_CASES,
            metavar="N",
            help=gettext_lazy("number of legal dispute cases over 18 months (default %(default)s)"),
        )
        parser.add_argument(
            "--points",
            type=_non_negative,
            default=DEFAULT_POINTS,
            metavar="N",
            help=gettext_lazy(
                "number of service stations besides the centres (default %(default)s)"
            ),
        )
        parser.add_argument(
            "--subsidy-applications",
            type=_non_negative,
            default=DEFAULT_APPLICATIONS,
            metavar="N",
            help=gettext_lazy(
                "subsidy applications of the benefits demo (items, segments, projects, "
                "events come with it; default %(default)s)"
            ),
        )
        parser.add_argument(
            "--no-insights",
            action="store_true",
            help=gettext_lazy("skip the assessment targets and the dashboards' rollup refresh"),
        )
        parser.add_argument(
            "--password",
            metavar="PW",
            help=gettext_lazy("password of the demo logins (default: a new random one, shown)"),
        )
        parser.add_argument(
            "--no-serve",
            action="store_true",
            help=gettext_lazy("build the data and exit instead of serving the site"),
        )
        parser.add_argument(
            "--host",
            default="127.0.0.1",
            help=gettext_lazy("address to serve on (default %(default)s)"),
        )
        parser.add_argument(
            "--port",
            type=_port,
            default=8000,
            help=gettext_lazy("port to serve on (default %(default)s)"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        check_database()
        console = Console(file=self.stdout._out, highlight=False)  # type: ignore[attr-defined]
        password = options["password"]
        generated = not password
        if generated:
            password = secrets.token_urlsafe(12)  # 16 characters
        else:
            try:
                validate_password(password)
            except ValidationError as exc:
                console.print(
                    _("Warning: the password is weak (%(reasons)s).")
                    % {"reasons": " ".join(exc.messages)},
                    style="yellow",
                )
        today = timezone.localdate()
        columns = (
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=console) as progress:
            step = progress.add_task(_("Generating the federation"), total=1)
            data = generate_demo(seed=options["seed"], employers=options["employers"], today=today)
            progress.advance(step)
            tasks = {
                "orgs": progress.add_task(
                    _("Union organisations"), total=len(data.orgs), start=False
                ),
                "employers": progress.add_task(
                    _("Employers"), total=len(data.employers), start=False
                ),
                "users": progress.add_task(_("Staff logins"), total=len(DEMO_USERS), start=False),
            }

            def advance(step: str, n: int) -> None:
                if n == 0:
                    progress.start_task(tasks[step])
                progress.advance(tasks[step], n)

            load = load_demo(data, password=password, advance=advance)
            # Register file, supervision, staffing, elections, ratings (before the members).
            load_org_work(data, seed=options["seed"], today=today, var_dir=settings.VAR_DIR)
            members_task = progress.add_task(_("Members"), total=options["members"])
            load.members = load_members(
                count=options["members"],
                seed=options["seed"],
                today=today,
                progress=lambda n: progress.update(members_task, completed=n),
            )
            appeals_task = progress.add_task(_("12351 appeals"), total=options["appeals"])
            load_appeals(
                count=options["appeals"],
                seed=options["seed"],
                today=today,
                progress=lambda n: progress.update(appeals_task, completed=n),
            )
            legal_task = progress.add_task(_("Legal services"), total=options["legal_cases"])
            load_legal(
                count=options["legal_cases"],
                seed=options["seed"],
                today=today,
                password=password,
                progress=lambda n: progress.update(legal_task, completed=n),
            )
            places_task = progress.add_task(_("Service points and venues"), total=1)
            load_places(seed=options["seed"], count=options["points"], today=today)
            progress.advance(places_task)
            benefits_task = progress.add_task(_("Member benefits"), total=1)
            load_benefits(count=options["subsidy_applications"], seed=options["seed"], today=today)
            progress.advance(benefits_task)
        if connection.vendor == "postgresql":
            # Fresh planner statistics for the tables just filled (autovacuum may be off or
            # behind): without them a 4 M-member registry gets slow plans.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        if not options["no_insights"]:
            insights_demo(today=today)
        self._summary(console, load, today)
        host, port = options["host"], options["port"]
        address = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        self._logins(console, load.users, password if generated else None)
        console.print(_("Open %(url)s") % {"url": f"http://{address}/"}, style="bold")
        if options["no_serve"]:
            return
        # Background jobs (uploaded imports) need a worker next to the development server.
        worker = subprocess.Popen(
            [sys.executable, "-m", "gonghui.manage", "db_worker", "--no-reload"]
        )
        try:
            call_command("runserver", address, use_reloader=False, use_ipv6=":" in host)
        finally:
            worker.terminate()
            worker.wait(timeout=10)

    def _summary(self, console: Console, load: DemoLoad, today: date) -> None:
        imports = Table(
            _("Import"), _("Rows"), _("Created"), _("Updated"), _("Unchanged"), _("Warnings"),
            title=_("What the import services did"),
        )  # fmt: skip
        for label, result in (
            (_("Union organisations"), load.orgs),
            (_("Employers"), load.employers),
            (_("Members"), load.members),
        ):
            counts = (result.rows, result.created, result.updated, result.unchanged)
            imports.add_row(label, *(str(n) for n in counts), str(len(result.warnings)))
        console.print(imports)
        if load.employers.warnings:
            console.print(
                _(
                    "The demo includes deliberate early pilot credit codes with a wrong check "
                    "character; the import accepts them with a warning:"
                ),
                style="yellow",
            )
        for warning in load.employers.warnings:
            console.print(
                _("Row %(row)d: %(reason)s") % {"row": warning.row, "reason": warning.reason},
                style="yellow",
            )

        stats = demo_stats(today=today)
        kinds = Table(_("Kind"), _("Count"), title=_("Union organisations by kind"))
        for kind in OrgKind:
            kinds.add_row(str(kind.label), str(stats.orgs_by_kind.get(kind.value, 0)))
        kinds.add_row(_("Total"), str(sum(stats.orgs_by_kind.values())), style="bold")
        console.print(kinds)

        facts = Table(show_header=False, title=_("Employers"))
        facts.add_row(_("Employers"), str(stats.employers))
        facts.add_row(_("Operating"), str(stats.operating))
        facts.add_row(_("Operating, with a union"), str(stats.covered))
        rate = stats.coverage
        facts.add_row(_("Coverage"), f"{rate:.1%}" if rate is not None else "–")
        facts.add_row(
            _("Open ≥%(years)d years, ≥%(staff)d staff, no union")
            % {"years": SUPERVISION_YEARS, "staff": ENTERPRISE_UNION_STAFF},
            str(stats.unorganised),
        )
        console.print(facts)

    def _logins(self, console: Console, users: list[User], password: str | None) -> None:
        logins = Table(_("Login"), _("Name"), _("Role"), _("Scope"), title=_("Demo logins"))
        for user in users:
            scope = user.scope_org
            logins.add_row(
                user.username,
                f"{user.last_name}{user.first_name}",
                str(Role(user.role).label),
                f"{scope.name} ({scope.code})" if scope else "–",
            )
        console.print(logins)
        if password:
            console.print(
                _("Password of every demo login: %(password)s") % {"password": password},
                style="bold",
            )
        else:
            console.print(_("Password of every demo login: the one given with --password."))
