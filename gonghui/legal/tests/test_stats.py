"""Statistics: per-district figures add up to the city's; scoped; by path, category, year."""

from datetime import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from gonghui.legal.services import aid_apply, consultation_create, dispute_close
from gonghui.legal.stats import legal_stats
from gonghui.legal.tests.conftest import make_dispute
from gonghui.testing import api_client, logged_in

pytestmark = pytest.mark.django_db


def _at(year: int) -> datetime:
    return datetime(year, 6, 1, 10, 0, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def figures(city, city_admin):
    """Records in both districts, a street, and the city's own centre, over two years."""
    for org, n in ((city.community, 3), (city.sibling_street, 2), (city.other_community, 4)):
        for i in range(n):
            case = make_dispute(
                org, claims=[{"type": "wages", "amount": str(1000 * (i + 1))}],
                created_at=_at(2025 if i == 0 else 2026),
            )  # fmt: skip
            if i % 2 == 0:
                dispute_close(
                    user=city_admin, case=case, outcome="mediated", amount_agreed="500",
                    amount_recovered="500", performed=True,
                )  # fmt: skip
        consultation_create(org=org, channel="hotline", topic="wages", question="问题", name="某人")
    make_dispute(city.city, dispute_type="interest", rights_subtype="")
    aid_apply(
        org=city.other_community, name="某人", phone="13811112222", case_type="wages",
        summary="欠薪", hardship=True, amount_claimed="7000",
    )  # fmt: skip


def test_per_district_figures_add_up_to_the_city_total(figures, city_admin):
    stats = legal_stats(user=city_admin)
    total = stats.total
    assert total.disputes == 10
    assert total.consultations == 3
    assert total.aid_cases == 1
    for name in ("consultations", "disputes", "aid_cases", "mediated", "involved", "recovered"):
        assert sum(getattr(row, name) for row in stats.by_district) == getattr(total, name)
    by_key = {row.key: row for row in stats.by_district}
    assert set(by_key) == {"110101", "110102", "city"}
    assert by_key["110101"].disputes == 5
    assert by_key["110102"].involved == Decimal("17000")  # 1000+2000+3000+4000 + aid 7000
    assert by_key["city"].disputes == 1


def test_the_success_rate_is_mediated_over_accepted_disputes(figures, city_admin):
    row = {r.key: r for r in legal_stats(user=city_admin).by_district}["110101"]
    assert row.mediated == 3  # 2 of 3 in the community, 1 of 2 in the sibling street
    assert row.success_rate == 0.6


def test_a_year_keeps_that_year_and_still_adds_up(figures, city_admin):
    stats = legal_stats(user=city_admin, year=2025)
    assert stats.total.disputes == 3
    assert sum(r.disputes for r in stats.by_district) == 3
    assert {r.key: r.disputes for r in stats.by_year}["2025"] == 3


def test_paths_and_categories_partition_the_disputes(figures, city_admin):
    stats = legal_stats(user=city_admin)
    assert sum(r.disputes for r in stats.by_path) == stats.total.disputes
    assert sum(r.disputes for r in stats.by_category) == stats.total.disputes
    paths = {r.key: r.disputes for r in stats.by_path}
    assert paths["mediation"] == 5
    assert paths["collective_negotiation"] == 1


def test_a_district_officer_sees_only_their_district(figures, district_officer):
    stats = legal_stats(user=district_officer)
    assert [r.key for r in stats.by_district] == ["110101"]
    assert stats.total.disputes == 5


def test_the_api_and_the_page_give_the_same_figures(figures, city_admin):
    data = api_client(city_admin).get("/api/v1/stats/legal").json()
    assert data["total"]["accepted"] == 11
    assert sum(row["accepted"] for row in data["by_district"]) == 11
    page = logged_in(city_admin).get("/legal/stats/")
    assert page.status_code == 200
    assert "东城区总工会" in page.content.decode()
