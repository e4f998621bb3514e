from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from gonghui.orgs.models import OrgKind, RatingGrade, RatingItem
from gonghui.orgs.selectors import election_rates, rating_coverage, terms_ending
from gonghui.orgs.services.elections import election_record
from gonghui.orgs.services.ratings import rating_assess
from gonghui.orgs.tests.factories import UnionOrgFactory
from gonghui.testing import logged_in


def _elect(user, org, method, held_on=date(2024, 5, 1), **kwargs):
    values = {
        "candidates": 2, "voters": 100, "votes_cast": 90, "votes_for_elected": 60,
        "elected_name": "张主席",
    }  # fmt: skip
    return election_record(
        user=user, org=org, held_on=held_on, method=method, **{**values, **kwargs}
    )


@pytest.fixture
def unions(city):
    return [
        UnionOrgFactory(parent=city.community, kind=OrgKind.ENTERPRISE, code=f"E1000000{i}")
        for i in range(3)
    ]


def test_the_direct_election_rate_counts_the_chairs_in_office(city, unions, district_officer):
    _elect(district_officer, unions[0], "indirect", held_on=date(2019, 5, 1))
    _elect(district_officer, unions[0], "direct")  # the latest election counts
    _elect(district_officer, unions[1], "direct")
    _elect(district_officer, unions[2], "indirect")
    whole, children = election_rates(user=district_officer, org=city.district)
    assert (whole.orgs, whole.direct) == (3, 2)
    assert [(c.org, c.orgs, c.direct) for c in children] == [(city.street, 3, 2)]


def test_the_term_ends_five_years_after_unless_given(city, unions, district_officer):
    election = _elect(district_officer, unions[0], "direct", held_on=date(2024, 2, 29))
    assert election.term_ends_on == date(2029, 2, 28)


def test_terms_ending_within_90_days_are_flagged(city, unions, district_officer):
    today = timezone.localdate()
    _elect(district_officer, unions[0], "direct", term_ends_on=today + timedelta(days=90))
    _elect(district_officer, unions[1], "direct", term_ends_on=today + timedelta(days=91))
    _elect(district_officer, unions[2], "direct", term_ends_on=today - timedelta(days=1))
    flagged = terms_ending(user=district_officer, org=city.city, today=today)
    assert {e.org for e in flagged} == {unions[0], unions[2]}


def test_impossible_votes_are_refused(city, unions, district_officer):
    with pytest.raises(ValidationError):
        _elect(district_officer, unions[0], "direct", votes_cast=101)
    with pytest.raises(ValidationError):
        _elect(district_officer, unions[0], "direct", votes_for_elected=91)


def test_an_assessment_scores_the_weighted_checklist(city, unions, district_officer):
    items = list(RatingItem.objects.filter(active=True))
    met = [item.pk for item in items if item.code != "R09"]  # all but the 5-point item
    rating = rating_assess(
        user=district_officer, org=unions[0], assessed_on=date(2026, 6, 1),
        met_item_ids=met, sign_displayed=True, identity_displayed=True,
    )  # fmt: skip
    assert (str(rating.score), rating.grade) == ("95.0", RatingGrade.MODEL)
    lower = rating_assess(
        user=district_officer, org=unions[0], assessed_on=date(2026, 9, 1),
        met_item_ids=met[:5], sign_displayed=True, identity_displayed=False,
    )  # fmt: skip
    assert lower.grade == RatingGrade.FAIL
    assert unions[0].ratings.count() == 2  # the earlier assessment stays as history


def test_shuangliang_coverage_uses_each_unions_latest_assessment(city, unions, district_officer):
    for union, both in zip(unions, (True, True, False), strict=True):
        rating_assess(
            user=district_officer, org=union, assessed_on=date(2026, 6, 1), met_item_ids=[],
            sign_displayed=True, identity_displayed=both,
        )  # fmt: skip
    whole, _children = rating_coverage(user=district_officer, org=city.street)
    # Grassroots unions of the street: the community, the fixture's union and three more.
    assert (whole.grassroots, whole.rated, whole.shuangliang) == (5, 3, 2)
    assert whole.coverage == pytest.approx(0.4)


def test_the_pages_show_rates_and_record_through_forms(city, unions, street_officer):
    client = logged_in(street_officer)
    response = client.post(
        "/orgs/elections/",
        {
            "org": unions[0].code, "held_on": "2025-03-01", "method": "direct", "candidates": 3,
            "voters": 50, "votes_cast": 48, "votes_for_elected": 30, "elected_name": "李主席",
        },
    )  # fmt: skip
    assert response.status_code == 302
    assert "100%" in client.get("/orgs/elections/").content.decode()
    item = RatingItem.objects.get(code="R01")
    response = client.post(
        "/orgs/ratings/",
        {"org": unions[0].code, "assessed_on": "2026-06-01", "items": [item.pk],
         "sign_displayed": "on", "identity_displayed": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    assert unions[0].ratings.get().score == 15


def test_forms_refuse_an_org_of_another_district(city, street_officer):
    response = logged_in(street_officer).post(
        "/orgs/elections/",
        {
            "org": city.other_community.code, "held_on": "2025-03-01", "method": "direct",
            "candidates": 1, "voters": 5, "votes_cast": 5, "votes_for_elected": 5,
            "elected_name": "某",
        },
    )  # fmt: skip
    assert response.status_code == 200
    assert not city.other_community.elections.exists()


def test_subtree_pages_of_another_district_answer_404(city, street_officer):
    client = logged_in(street_officer)
    for page in ("staffing", "elections", "ratings"):
        assert client.get(f"/orgs/{page}/?org=110102").status_code == 404
