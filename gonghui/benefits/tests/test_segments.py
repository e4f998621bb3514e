"""Segments: rules over members, evaluated as one filter, counted live while editing."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from gonghui.benefits.models import Segment
from gonghui.benefits.segments import region_prefix, rules_clean, segment_q
from gonghui.benefits.selectors import segment_count, segment_members
from gonghui.benefits.services.catalogue import profile_set, segment_save
from gonghui.benefits.tests.helpers import member_at
from gonghui.members.models import Member
from gonghui.orgs.tests.factories import EmployerFactory
from gonghui.testing import logged_in

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 6)


def test_rules_select_by_gender_age_industry_region_and_flags(city):
    builder = EmployerFactory(
        name="北京建工集团", org=city.community, industry="E", region_code="110101"
    )
    courier = EmployerFactory(
        name="北京快递有限公司", org=city.community, industry="G", region_code="110105"
    )
    young_builder = member_at(city.community, employer=builder)
    member_at(city.community, employer=courier)
    profile_set(member=young_builder, outdoor_worker=True)
    rules = {"industries": ["E"], "regions": ["110100"], "outdoor_worker": True}
    found = list(segment_members(rules=rules, within=city.city, today=TODAY))
    assert found == [young_builder]


def test_age_bands_are_whole_years_on_the_day(city):
    member = member_at(city.community)
    Member.objects.filter(pk=member.pk).update(birth_date=date(1990, 12, 6))
    assert list(segment_members(rules={"age_min": 36}, within=city.city, today=TODAY)) == [member]
    assert list(segment_members(rules={"age_max": 35}, within=city.city, today=TODAY)) == []
    assert list(segment_members(rules={"age_max": 36}, within=city.city, today=TODAY)) == [member]


def test_inactive_members_are_never_in_a_segment(city):
    member = member_at(city.community)
    member.status = "lapsed"
    member.save()
    assert segment_members(rules={}, within=city.city, today=TODAY).count() == 0


def test_a_segment_is_one_query(city):
    for _ in range(5):
        profile_set(member=member_at(city.community), hardship=True)
    rules = {"gender": "male", "age_min": 20, "age_max": 70, "industries": ["C", "E"],
             "regions": ["110101"], "outdoor_worker": True, "high_skill": True,
             "hardship": True}  # fmt: skip
    with CaptureQueriesContext(connection) as queries:
        segment_members(rules=rules, within=city.city, today=TODAY).count()
    assert len(queries) == 1


def test_rules_clean_names_each_bad_criterion():
    with pytest.raises(ValidationError) as caught:
        rules_clean({"gender": "x", "age_min": "12", "industries": ["Z"], "regions": ["1101"]})
    assert set(caught.value.message_dict) == {"gender", "age_min", "industries", "regions"}


@given(st.integers(min_value=16, max_value=100), st.integers(min_value=16, max_value=100))
def test_age_bands_are_accepted_only_in_order(low, high):
    if low <= high:
        assert rules_clean({"age_min": low, "age_max": high}) == {"age_min": low, "age_max": high}
    else:
        with pytest.raises(ValidationError):
            rules_clean({"age_min": low, "age_max": high})


@given(st.from_regex(r"[1-6][0-9]{5}", fullmatch=True))
def test_a_region_covers_its_sub_regions(code):
    assert code.startswith(region_prefix(code))
    assert segment_q({"regions": [code]}, today=TODAY) is not None


def test_live_count_while_editing(city, street_officer):
    for _ in range(3):
        profile_set(member=member_at(city.community), high_skill=True)
    member_at(city.community)
    profile_set(member=member_at(city.other_community), high_skill=True)
    client = logged_in(street_officer)
    response = client.get(
        "/benefits/segments/count/", {"org": city.street.code, "high_skill": "on"}
    )
    assert 'data-testid="segment-count">3<' in response.content.decode()
    assert segment_count(user=street_officer, rules={}, within=city.street) == 4


def test_live_count_reports_a_bad_rule(city, street_officer):
    response = logged_in(street_officer).get(
        "/benefits/segments/count/", {"org": city.street.code, "age_min": "5"}
    )
    assert 'data-testid="segment-count-error"' in response.content.decode()


def test_segment_saved_from_the_page(city, street_officer):
    client = logged_in(street_officer)
    response = client.post(
        "/benefits/segments/new/",
        {"org": city.street.code, "name": "女职工", "gender": "female", "regions": "110101"},
    )
    assert response.status_code == 302
    segment = Segment.objects.get(name="女职工")
    assert segment.rules == {"gender": "female", "regions": ["110101"]}


def test_segment_of_another_district_answers_404(city, street_officer):
    segment = segment_save(org=city.other_community, name="困难职工", rules={"hardship": True})
    assert logged_in(street_officer).get(f"/benefits/segments/{segment.pk}/").status_code == 404
