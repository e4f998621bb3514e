"""The rollup tables: equal to live counts, additive up the tree, idempotent, extensible."""

from collections import defaultdict
from datetime import date

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Q, Sum
from hypothesis import given
from hypothesis import strategies as st

from gonghui.appeals.models import Appeal, AppealStatus
from gonghui.insights import registry
from gonghui.insights.models import Figure, RollupRun
from gonghui.insights.registry import EARLIEST, METRICS, month_of, register
from gonghui.insights.selectors import Window, figures_of, shift_month
from gonghui.insights.services import rollups_refresh
from gonghui.members.models import Member, MemberCard
from gonghui.orgs.models import Employer, UnionOrg

pytestmark = pytest.mark.django_db


def _live(path: str) -> dict[str, int]:
    """Each metric counted straight from the source tables for the subtree at `path`."""
    members = Member.objects.filter(org__path__startswith=path)
    employers = Employer.objects.filter(org__path__startswith=path, status="operating")
    cards = MemberCard.objects.filter(member__org__path__startswith=path)
    appeals = Appeal.objects.filter(org__path__startswith=path).exclude(status=AppealStatus.MERGED)
    return {
        "members": members.filter(status="active").count(),
        "members_joined": members.count(),
        "orgs": UnionOrg.objects.filter(path__startswith=path, status="active")
        .exclude(kind__in=["city", "district", "street"])
        .count(),
        "employers": employers.count(),
        "employers_unionized": employers.filter(union__isnull=False).count(),
        "cards_issued": cards.count(),
        "cards_active": cards.filter(status="active").count(),
        "appeals_received": appeals.count(),
        "appeals_closed": appeals.filter(status="closed").count(),
        "appeals_replied": appeals.filter(replied_at__isnull=False).count(),
        "appeals_on_time": appeals.filter(
            replied_at__isnull=False, replied_at__date__lte=F("deadline")
        ).count(),
        "appeals_rated": appeals.exclude(satisfaction="").count(),
        "appeals_satisfied": appeals.filter(satisfaction__in=["satisfied", "basic"]).count(),
    }


def _rolled(path: str) -> dict[str, int]:
    rows = Figure.objects.filter(path=path).values("metric").annotate(total=Sum("value"))
    return {row["metric"]: row["total"] for row in rows}


ALL_TIME = Window(EARLIEST, date(2100, 1, 1))


def test_rollup_figures_equal_live_counts_at_every_org_with_child_orgs(figures):
    for org in UnionOrg.objects.filter(numchild__gt=0):
        live = _live(org.path)
        rolled = _rolled(org.path)
        assert {m: rolled.get(m, 0) for m in live} == live, org.name


def test_unions_without_child_orgs_have_no_rollup_rows(figures):
    leaves = UnionOrg.objects.filter(numchild=0, depth__gt=1)
    assert not Figure.objects.filter(path__in=[o.path for o in leaves]).exists()


def test_the_indicators_of_every_org_equal_live_counts(figures):
    orgs = list(UnionOrg.objects.all())
    found = figures_of(orgs, ALL_TIME)
    for org in orgs:
        live = _live(org.path)
        got = {m: found.get(org.path, {}).get(m, {}).get("stock", 0) for m in live}
        assert got == live, org.name


def test_the_fixture_exercises_every_metric(figures):
    city_live = _live(figures.city.path)
    assert all(
        city_live[m] > 0 for m in city_live if m not in ("appeals_replied", "appeals_on_time")
    )


def test_districts_add_up_to_the_city_per_metric_and_month(figures):
    districts = UnionOrg.objects.filter(depth=2)
    by_key: dict[tuple[str, object], int] = defaultdict(int)
    for row in Figure.objects.filter(path__in=[d.path for d in districts]):
        by_key[(row.metric, row.period)] += row.value
    city = {(f.metric, f.period): f.value for f in Figure.objects.filter(path=figures.city.path)}
    assert city == dict(by_key)


def test_members_are_counted_in_the_month_they_joined(figures):
    joined = Figure.objects.get(
        metric="members_joined", path=figures.district.path, period=f"{figures.this_year}-01-01"
    )
    assert (
        joined.value == 3
    )  # community on the 10th and 11th (one lapsed since), sibling on the 3rd


def test_unknown_join_dates_count_from_the_creation_month(figures):
    # The member of 西城区 without a join date is counted in the month it was registered.
    undated = Member.objects.get(joined_on__isnull=True)
    month = undated.created_at.date().replace(day=1)
    assert Figure.objects.filter(
        metric="members", path=figures.other_district.path, period=month
    ).exists()


def test_a_second_refresh_gives_the_same_figures(figures):
    before = sorted(Figure.objects.values_list("metric", "path", "period", "value"))
    rollups_refresh()
    assert sorted(Figure.objects.values_list("metric", "path", "period", "value")) == before


def test_the_refresh_follows_new_rows(figures):
    Appeal.objects.filter(org=figures.community).update(status=AppealStatus.CLOSED)
    rollups_refresh(metrics=["appeals_closed"])
    assert _rolled(figures.community.path)["appeals_closed"] == 2


def test_refreshing_one_metric_leaves_the_others(figures):
    others = Figure.objects.exclude(metric="members").count()
    Figure.objects.filter(metric="members").delete()
    rollups_refresh(metrics=["members"])
    assert Figure.objects.exclude(metric="members").count() == others
    assert _rolled(figures.city.path)["members"] == _live(figures.city.path)["members"]


def test_an_unknown_metric_is_refused(db):
    with pytest.raises(ValueError, match="nonsense"):
        rollups_refresh(metrics=["nonsense"])


def test_each_refresh_is_recorded(figures):
    run = RollupRun.objects.first()
    assert run.finished_at is not None
    assert run.rows == Figure.objects.count()
    assert set(run.metrics.split(",")) == set(METRICS)


def test_a_registered_metric_is_rolled_up(figures):
    @register("test_employers_any", "Employers, any status", section="test")
    def employers_any():
        return Employer.objects.values(unit=F("org_id"), month=month_of("opened_on")).annotate(
            n=Count("pk")
        )

    try:
        rollups_refresh(metrics=["test_employers_any"])
        assert _rolled(figures.city.path)["test_employers_any"] == Employer.objects.count()
        assert (
            _rolled(figures.district.path)["test_employers_any"]
            == Employer.objects.filter(Q(org__path__startswith=figures.district.path)).count()
        )
    finally:
        registry.METRICS.pop("test_employers_any")


def test_the_command_refreshes(figures, capsys):
    Figure.objects.all().delete()
    call_command("refresh_rollups", "--metric", "members")
    assert "1" in capsys.readouterr().out
    assert set(Figure.objects.values_list("metric", flat=True)) == {"members"}


@pytest.mark.django_db(transaction=True)
def test_the_background_job_refreshes(city):
    from gonghui.insights.tasks import refresh_rollups
    from gonghui.members.tests.factories import MemberFactory
    from gonghui.testing import run_gonghui

    MemberFactory(org=city.community)
    refresh_rollups.enqueue(metrics=["members"])
    worker = run_gonghui("db_worker", "--batch", "--no-startup-delay", "--no-reload")
    assert worker.returncode == 0, worker.stderr
    assert _rolled(city.city.path) == {"members": 1}


def test_months_before_last_year_are_kept_by_whole_year(figures):
    old = figures.this_year - 6
    periods = set(
        Figure.objects.filter(metric="members_joined", path=figures.district.path).values_list(
            "period", flat=True
        )
    )
    assert date(old, 1, 1) in periods  # the member who joined in June of that year
    assert date(old, 6, 1) not in periods
    assert date(figures.this_year, 1, 1) in periods  # this year's months stay months


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 1)),
    st.integers(min_value=0, max_value=40),
)
def test_a_snapped_window_keeps_monthly_bounds_and_widens_old_ones_to_years(first, months):
    first = first.replace(day=1)
    last = shift_month(first, months)
    horizon = date(2025, 1, 1)
    snapped = Window(first, last).snapped(horizon)
    assert snapped.first <= snapped.last
    assert snapped.first == (first if first >= horizon else first.replace(month=1))
    if last >= horizon:
        assert snapped.last == last
    else:
        assert snapped.last == last.replace(month=12)
