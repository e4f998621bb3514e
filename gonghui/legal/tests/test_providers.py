"""Providers: firms, lawyers (phone encrypted through the admin form), roster, groups, places."""

from datetime import timedelta

import pytest
from django.utils import timezone

from gonghui.core import pii
from gonghui.legal.admin import LawyerForm
from gonghui.legal.models import DutyRoster, DutyShift, Mediator
from gonghui.legal.services import dispute_create
from gonghui.places.models import PointKind
from gonghui.places.tests.factories import ServicePointFactory
from gonghui.testing import logged_in

pytestmark = pytest.mark.django_db


def test_the_admin_form_stores_a_lawyers_phone_encrypted_and_masked(firm_a):
    form = LawyerForm(
        data={
            "firm": firm_a.pk, "name": "陈律师", "licence_number": "11101201010000001",
            "specialties": ["labour", "injury"], "new_phone": "139 1234 5678", "active": "on",
        }
    )  # fmt: skip
    assert form.is_valid(), form.errors
    lawyer = form.save()
    assert lawyer.phone_masked == "139****5678"
    assert pii.decrypt(lawyer.phone) == "13912345678"
    assert lawyer.specialties == ["labour", "injury"]


def test_the_admin_form_refuses_a_bad_phone(firm_a):
    form = LawyerForm(
        data={"firm": firm_a.pk, "name": "陈律师", "licence_number": "1", "new_phone": "123"}
    )
    assert not form.is_valid()
    assert "new_phone" in form.errors


def test_the_providers_page_lists_firms_roster_groups_and_places(city, city_admin, lawyer_a, team):
    DutyRoster.objects.create(
        lawyer=lawyer_a, day=timezone.localdate() + timedelta(days=1), shift=DutyShift.MORNING
    )
    room = ServicePointFactory(
        org=city.street, name="东华门街道调解室", kind=PointKind.MEDIATION_ROOM,
        address="东华门大街1号",
    )  # fmt: skip
    Mediator.objects.create(org=city.street, place=room, name="周调解员")
    ServicePointFactory(org=city.street, name="东华门职工书屋", kind=PointKind.LIBRARY)
    body = logged_in(city_admin).get("/legal/providers/").content.decode()
    for text in (
        "北京甲律师事务所",
        "张律师",
        "东城区职工维权律师团",
        "东华门街道调解室",
        "周调解员",
    ):
        assert text in body
    assert f'href="/places/{room.pk}/"' in body  # a service point of the places app
    assert "东华门职工书屋" not in body  # not a mediation place
    assert "13900000001" not in body


def test_the_providers_page_lists_the_mediation_places_of_the_subtree_only(
    city, district_officer, other_district_officer
):
    ServicePointFactory(
        org=city.district, name="东城区劳动争议调解中心", kind=PointKind.MEDIATION_CENTRE
    )
    assert "东城区劳动争议调解中心" in (
        logged_in(district_officer).get("/legal/providers/").content.decode()
    )
    assert "东城区劳动争议调解中心" not in (
        logged_in(other_district_officer).get("/legal/providers/").content.decode()
    )


def test_a_major_dispute_goes_to_the_nearest_group_above(city, team, firm_b, lawyer_b):
    from gonghui.legal.models import LawyerTeam

    city_group = LawyerTeam.objects.create(org=city.city, name="市律师团")
    city_group.lawyers.add(lawyer_b)
    near = dispute_create(
        user=None, org=city.community, dispute_type="rights", rights_subtype="illegal",
        employer_name="某公司", summary="欠薪", workers_involved=20,
    )  # fmt: skip
    far = dispute_create(
        user=None, org=city.other_community, dispute_type="rights", rights_subtype="illegal",
        employer_name="某公司", summary="欠薪", workers_involved=20,
    )  # fmt: skip
    assert near.team == team
    assert far.team == city_group


def test_a_district_officer_does_not_see_the_citys_contracts(city, district_officer, firm_a):
    body = logged_in(district_officer).get("/legal/providers/").content.decode()
    assert firm_a.name not in body


def test_a_hotline_consultation_goes_to_the_lawyer_on_duty(city, city_admin, lawyer_a):
    DutyRoster.objects.create(lawyer=lawyer_a, day=timezone.localdate(), shift=DutyShift.FULL_DAY)
    client = logged_in(city_admin)
    assert lawyer_a.name in client.get("/legal/").content.decode()
    client.post(
        "/legal/consultations/new/",
        {"channel": "hotline", "topic": "wages", "name": "某人", "question": "欠薪怎么办"},
    )
    from gonghui.legal.models import Consultation

    assert Consultation.objects.get().lawyer == lawyer_a
