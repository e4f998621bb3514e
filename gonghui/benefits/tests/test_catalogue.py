"""Service items: the back-office catalogue, the items a card carries, the portal catalogue."""

from datetime import timedelta

import pytest
from django.utils import timezone

from gonghui.benefits.models import ServiceItem
from gonghui.benefits.selectors import card_items, portal_items
from gonghui.benefits.services.catalogue import item_save, profile_set, segment_save
from gonghui.benefits.tests.helpers import portal_client
from gonghui.testing import logged_in

pytestmark = pytest.mark.django_db


def _item(org, name, **kwargs):
    kwargs.setdefault("category", "legal")
    kwargs.setdefault("provider_kind", "union")
    return item_save(org=org, name=name, **kwargs)


def test_the_card_carries_items_of_the_union_and_its_ancestors(city, worker):
    _item(city.city, "京卡法律援助", on_card=True)
    _item(city.street, "街道职工体检", category="health", on_card=True)
    _item(city.street, "职工书屋", category="reading")  # in the catalogue, not on the card
    _item(city.other_district, "西城区疗休养", category="recuperation", on_card=True)
    _item(city.city, "过期优惠", category="discounts", on_card=True,
          valid_until=timezone.localdate() - timedelta(days=1))  # fmt: skip
    assert sorted(i.name for i in card_items(member=worker)) == ["京卡法律援助", "街道职工体检"]
    assert sorted(p.item.name for p in portal_items(member=worker)) == [
        "京卡法律援助",
        "职工书屋",
        "街道职工体检",
    ]


def test_items_for_a_segment_reach_only_its_members(city, worker):
    outdoor = segment_save(org=city.city, name="户外劳动者", rules={"outdoor_worker": True})
    _item(city.city, "劳动者驿站热饭", category="canteen", on_card=True, segment=outdoor)
    assert card_items(member=worker) == []
    assert [p.eligible for p in portal_items(member=worker)] == [False]
    profile_set(member=worker, outdoor_worker=True)
    assert [i.name for i in card_items(member=worker)] == ["劳动者驿站热饭"]


def test_officer_creates_an_item_on_the_card(city, street_officer):
    response = logged_in(street_officer).post(
        "/benefits/items/new/",
        {"org": city.street.code, "name": "白领午餐优惠", "category": "canteen",
         "provider_kind": "merchant", "provider_name": "东华门职工食堂",
         "on_card": "on", "active": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    item = ServiceItem.objects.get(name="白领午餐优惠")
    assert item.on_card
    assert item.org == city.street


def test_officer_cannot_place_an_item_outside_the_subtree(city, street_officer):
    response = logged_in(street_officer).post(
        "/benefits/items/new/",
        {
            "org": city.other_district.code,
            "name": "越权项目",
            "category": "legal",
            "provider_kind": "union",
        },
    )
    assert response.status_code == 200
    assert not ServiceItem.objects.filter(name="越权项目").exists()


def test_item_list_shows_only_the_subtree(city, street_officer):
    _item(city.community, "多福巷法律咨询")
    _item(city.other_community, "府右街法律咨询")
    body = logged_in(street_officer).get("/benefits/items/").content.decode()
    assert "多福巷法律咨询" in body
    assert "府右街法律咨询" not in body


def test_portal_shows_my_card_and_the_catalogue(city, worker):
    _item(
        city.city,
        "京卡互助保障",
        category="mutual_aid",
        on_card=True,
        how_to_use="持京卡到任一服务站登记",
    )
    client = portal_client(worker)
    home = client.get("/portal/benefits/").content.decode()
    assert "京卡互助保障" in home
    assert "持京卡到任一服务站登记" in home
    assert "京卡互助保障" in client.get("/portal/benefits/items/").content.decode()


def test_officers_below_use_but_do_not_change_the_citys_items_and_segments(city, street_officer):
    segment = segment_save(org=city.city, name="户外劳动者", rules={"outdoor_worker": True})
    item = _item(city.city, "京卡法律援助", on_card=True)
    client = logged_in(street_officer)
    assert "京卡法律援助" in client.get("/benefits/items/").content.decode()
    assert client.get(f"/benefits/segments/{segment.pk}/").status_code == 200
    assert "户外劳动者" in client.get("/benefits/items/new/").content.decode()  # a segment choice
    refused = client.post(
        f"/benefits/segments/{segment.pk}/", {"org": city.city.code, "name": "改名"}
    )
    assert refused.status_code == 403
    assert client.post(f"/benefits/items/{item.pk}/", {"name": "改名"}).status_code == 403
