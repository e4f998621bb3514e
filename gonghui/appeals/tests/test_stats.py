"""The 12351 figures, and that a district's figures never include another district's appeals."""

from datetime import date

import pytest
from django.utils import translation

from gonghui.appeals.services import workflow as wf
from gonghui.appeals.stats import appeal_stats
from gonghui.appeals.tests.helpers import at, file_appeal, handler
from gonghui.testing import api_client, logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def month(city):
    """March 2026 in 东城区: 3 appeals, 2 replied (1 on time, 1 late), 1 closed satisfied;
    and 2 appeals in 西城区."""
    worker = handler("stats_handler", city.street)
    first = file_appeal(
        city.city, employer_uscc=city.employer.uscc, received_at=at("2026-03-02 10:00")
    )
    second = file_appeal(city.city, employer_uscc=city.employer.uscc, channel="weibo",
                         received_at=at("2026-03-03 10:00"))  # fmt: skip
    file_appeal(city.city, employer_uscc=city.employer.uscc, received_at=at("2026-03-04 10:00"))
    for appeal in (first, second):
        wf.appeal_accept(user=worker, appeal=appeal)
        wf.appeal_reply(user=worker, appeal=appeal, text="答复")
    wf.appeal_callback(user=worker, appeal=first, satisfaction="satisfied")
    wf.appeal_close(user=worker, appeal=first)
    # The first reply came in time (due 9 March), the second late (due 10 March).
    type(first).objects.filter(pk=first.pk).update(replied_at=at("2026-03-05 10:00"))
    type(second).objects.filter(pk=second.pk).update(replied_at=at("2026-03-20 10:00"))
    for day in ("2026-03-05", "2026-03-06"):
        file_appeal(
            city.city, employer_uscc=city.other_employer.uscc, received_at=at(f"{day} 09:00")
        )
    return city


def test_the_figures_of_a_district(month, district_officer):
    with translation.override("en"):  # channel labels are compared in English
        figures = appeal_stats(
            user=district_officer, date_from=date(2026, 3, 1), date_to=date(2026, 3, 31)
        )
    total = figures.total
    assert (total.received, total.dispatched, total.closed) == (3, 3, 1)
    assert total.completion_rate == round(1 / 3, 4)
    assert total.on_time_rate == 0.5
    assert total.satisfaction_rate == 1.0
    assert {f.label: f.received for f in figures.by_channel} == {"12351 hotline": 2, "Weibo": 1}
    assert [f.label for f in figures.by_month] == ["2026-03"]


def test_a_district_never_counts_another_districts_appeals(
    month, district_officer, other_district_officer
):
    ours = appeal_stats(user=district_officer, date_from=None, date_to=None)
    theirs = appeal_stats(user=other_district_officer, date_from=None, date_to=None)
    assert ours.total.received == 3
    assert theirs.total.received == 2
    assert all(month.other_district.name not in f.label for f in ours.by_org)


def test_the_city_sees_both_districts_by_org(month, city_admin):
    figures = appeal_stats(user=city_admin, date_from=None, date_to=None)
    assert {f.label: f.received for f in figures.by_org} == {"东城区总工会": 3, "西城区总工会": 2}


def test_the_stats_api_is_scoped(month, district_officer):
    client = api_client(district_officer)
    answer = client.get("/api/v1/stats/appeals?from=2026-03-01&to=2026-03-31").json()
    assert answer["total"]["received"] == 3
    assert client.get(f"/api/v1/stats/appeals?org={month.other_district.code}").status_code == 404
    street = client.get(f"/api/v1/stats/appeals?org={month.street.code}").json()
    assert street["total"]["received"] == 3


def test_the_dashboard_page_carries_its_data_for_the_charts(month, district_officer):
    page = logged_in(district_officer).get("/appeals/stats/?from=2026-03-01&to=2026-03-31")
    body = page.content.decode()
    assert page.status_code == 200
    assert 'id="appeal-stats" type="application/json"' in body
    assert "appeals-stats.js" in body
    assert month.other_district.name not in body
