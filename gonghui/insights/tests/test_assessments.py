"""Assessment scorecards (建会考核): targets per child org, capped weighted scores, ranking;
only the assessing (parent) org edits; a district reads its own scorecard only."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from gonghui.insights.models import AssessmentScheme, AssessmentTarget, QualityScore
from gonghui.insights.selectors import scheme_scores
from gonghui.insights.services import scheme_save, target_update
from gonghui.testing import logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def scheme(figures, city_admin):
    scheme = scheme_save(
        user=city_admin,
        org=figures.city,
        year=figures.this_year,
        quantity_weight=60,
        cap_percent=120,
        quality_items=[("直选", 2), ("规范化", 1)],
    )
    items = {i.name: i.pk for i in scheme.quality_items.all()}
    east = scheme.targets.get(org=figures.district)
    west = scheme.targets.get(org=figures.other_district)
    # 东城区 this year: 1 new union (景山餐饮工会), 3 new members, coverage 2 of 3 employers.
    target_update(
        user=city_admin, target=east, new_unions=2, new_members=2, coverage=Decimal("50"),
        quality_scores={items["直选"]: Decimal("90"), items["规范化"]: Decimal("60")},
    )  # fmt: skip
    # 西城区 this year: no new union, no new member, coverage 1 of 1.
    target_update(
        user=city_admin, target=west, new_unions=1, new_members=4, coverage=Decimal("80"),
        quality_scores={items["直选"]: Decimal("100"), items["规范化"]: Decimal("100")},
    )  # fmt: skip
    return scheme


def _score(scheme, org):
    return next(s for s in scheme_scores(scheme, today=timezone.localdate()) if s.target.org == org)


def test_the_parent_scheme_gives_every_child_org_a_target(scheme, figures):
    assert set(scheme.targets.values_list("org__code", flat=True)) == {
        figures.district.code,
        figures.other_district.code,
    }


def test_each_indicator_scores_actual_over_target_capped(scheme, figures):
    east = _score(scheme, figures.district)
    assert (east.actual_new_unions, east.actual_new_members) == (1, 3)
    assert east.indicator_scores["new_unions"] == 50.0  # 1 of 2
    assert east.indicator_scores["new_members"] == 120.0  # 3 of 2, capped at 120 %
    assert east.indicator_scores["coverage"] == 120.0  # 66.7 % of 50 %, capped
    assert east.quantity == round((50 + 120 + 120) / 3, 2)


def test_quality_is_the_weighted_mean_and_the_total_weighs_both(scheme, figures):
    east = _score(scheme, figures.district)
    assert east.quality == 80.0  # (2 × 90 + 1 × 60) / 3
    assert east.total == round(east.quantity * 0.6 + 80.0 * 0.4, 2)


def test_the_districts_are_ranked_by_total(scheme, figures):
    scores = scheme_scores(scheme, today=timezone.localdate())
    ranked = sorted(scores, key=lambda s: s.rank)
    assert [s.rank for s in ranked] == [1, 2]
    assert ranked[0].total >= ranked[1].total


def test_a_zero_target_is_not_assessed(scheme, figures, city_admin):
    west = scheme.targets.get(org=figures.other_district)
    target_update(
        user=city_admin, target=west, new_unions=0, new_members=4, coverage=Decimal("80"),
        quality_scores={},
    )  # fmt: skip
    assert _score(scheme, figures.other_district).indicator_scores["new_unions"] is None


def test_a_past_year_counts_that_year_only(figures, city_admin):
    past = scheme_save(
        user=city_admin, org=figures.city, year=figures.this_year - 1, quantity_weight=100,
        cap_percent=100, quality_items=[],
    )  # fmt: skip
    west = _score(past, figures.other_district)
    assert (west.actual_new_unions, west.actual_new_members) == (0, 0)
    assert past.targets.count() == 2


def test_saving_the_scheme_again_creates_nothing_new(scheme, figures, city_admin):
    scheme_save(
        user=city_admin, org=figures.city, year=figures.this_year, quantity_weight=50,
        cap_percent=110, quality_items=[("直选", 2)],
    )  # fmt: skip
    assert AssessmentScheme.objects.count() == 1
    assert AssessmentTarget.objects.count() == 2
    assert QualityScore.objects.filter(item__name="规范化").count() == 0


# --- who sees and edits -------------------------------------------------------------------------


def test_the_parent_sees_the_ranking(scheme, city_admin, figures):
    body = logged_in(city_admin).get(reverse("insights:scheme", args=[scheme.pk])).content.decode()
    assert body.count('data-testid="rank-row"') == 2
    assert figures.other_district.name in body


def test_a_district_officer_reads_their_own_scorecard(scheme, district_officer, figures):
    target = scheme.targets.get(org=figures.district)
    response = logged_in(district_officer).get(reverse("insights:target", args=[target.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="total-score"' in body
    assert 'data-testid="target-form"' not in body
    assert figures.other_district.name not in body


def test_a_district_officer_cannot_edit_their_own_targets(scheme, district_officer, figures):
    target = scheme.targets.get(org=figures.district)
    response = logged_in(district_officer).post(
        reverse("insights:target_edit", args=[target.pk]),
        {"new_unions": 0, "new_members": 0, "coverage": "0"},
    )
    assert response.status_code == 403
    target.refresh_from_db()
    assert target.new_unions == 2


def test_a_district_officer_gets_404_for_another_districts_scorecard(
    scheme, district_officer, figures
):
    west = scheme.targets.get(org=figures.other_district)
    client = logged_in(district_officer)
    assert client.get(reverse("insights:target", args=[west.pk])).status_code == 404
    assert client.post(reverse("insights:target_edit", args=[west.pk])).status_code == 404


def test_a_district_officer_cannot_open_the_citys_ranking(scheme, district_officer):
    response = logged_in(district_officer).get(reverse("insights:scheme", args=[scheme.pk]))
    assert response.status_code == 404


def test_a_district_officer_cannot_create_the_citys_scheme(figures, district_officer):
    response = logged_in(district_officer).post(
        reverse("insights:scheme_save", kwargs={"code": figures.city.code}),
        {"year": 2026, "quantity_weight": 60, "cap_percent": 120},
    )
    assert response.status_code == 404


def test_the_list_links_a_district_to_its_own_scorecard(scheme, district_officer, figures):
    body = logged_in(district_officer).get(reverse("insights:assessments")).content.decode()
    target = scheme.targets.get(org=figures.district)
    assert reverse("insights:target", args=[target.pk]) in body
    assert reverse("insights:scheme", args=[scheme.pk]) not in body


def test_a_district_assesses_its_own_streets(figures, district_officer):
    response = logged_in(district_officer).post(
        reverse("insights:scheme_save", kwargs={"code": figures.district.code}),
        {"year": figures.this_year, "quantity_weight": 70, "cap_percent": 110,
         "quality_items": "双亮双强, 3\n规范化"},
    )  # fmt: skip
    scheme = AssessmentScheme.objects.get(org=figures.district)
    assert response.status_code == 302
    assert scheme.targets.count() == 2
    assert [(i.name, i.weight) for i in scheme.quality_items.all()] == [
        ("双亮双强", 3),
        ("规范化", 1),
    ]
    target = scheme.targets.get(org=figures.street)
    item = scheme.quality_items.get(name="双亮双强")
    edit = logged_in(district_officer).post(
        reverse("insights:target_edit", args=[target.pk]),
        {"new_unions": 3, "new_members": 10, "coverage": "40", f"quality_{item.pk}": "75"},
    )
    assert edit.status_code == 302
    target.refresh_from_db()
    assert (target.new_unions, target.quality_scores.get().score) == (3, Decimal("75"))


def test_bad_targets_are_refused_with_the_field(scheme, city_admin, figures):
    target = scheme.targets.get(org=figures.district)
    response = logged_in(city_admin).post(
        reverse("insights:target_edit", args=[target.pk]),
        {"new_unions": -1, "new_members": 2, "coverage": "150"},
    )
    assert response.status_code == 400
    target.refresh_from_db()
    assert target.coverage == Decimal("50")


def test_a_bad_quality_item_line_is_refused(figures, district_officer):
    response = logged_in(district_officer).post(
        reverse("insights:scheme_save", kwargs={"code": figures.district.code}),
        {"year": 2026, "quantity_weight": 60, "cap_percent": 120, "quality_items": "直选, 500"},
    )
    assert response.status_code == 400
    assert not AssessmentScheme.objects.exists()


def test_the_ranking_exports_to_xlsx(scheme, city_admin):
    response = logged_in(city_admin).get(
        reverse("insights:scheme", args=[scheme.pk]) + "?format=xlsx"
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
