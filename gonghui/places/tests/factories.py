from datetime import timedelta
from itertools import count
from typing import Any

import factory
from django.utils import timezone

from gonghui.places.hours import parse_hours
from gonghui.places.models import PointKind, ServicePoint, Venue, VenueSlot

_codes = count(1)


class ServicePointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServicePoint

    code = factory.LazyFunction(lambda: f"SP{next(_codes):06d}")
    name = factory.Sequence(lambda n: f"东华门职工服务站{n}")
    kind = PointKind.SERVICE_STATION
    address = "北京市东城区东华门大街1号"
    region_code = "110101"
    lat = 39.914
    lng = 116.404
    hours = factory.LazyFunction(lambda: parse_hours("24h").to_json())
    amenities = factory.LazyFunction(lambda: ["drinking_water", "charging"])
    services = factory.LazyFunction(lambda: ["法律咨询"])


def venue_at(org: Any, **kwargs: Any) -> Venue:
    point = ServicePointFactory(org=org, kind=PointKind.CULTURAL_PALACE)
    return Venue.objects.create(point=point, name=kwargs.pop("name", "羽毛球馆"), **kwargs)


def slot_of(venue: Venue, *, capacity: int = 10, days: int = 2, hour: int = 9) -> VenueSlot:
    start = (timezone.now() + timedelta(days=days)).replace(
        hour=hour, minute=0, second=0, microsecond=0
    )
    return VenueSlot.objects.create(
        venue=venue, starts_at=start, ends_at=start + timedelta(hours=2), capacity=capacity
    )
