import pytest

from gonghui.places.tests.factories import ServicePointFactory


@pytest.fixture
def foreign_point(city):
    """An active point of 西城区: an officer of 东城区's street must never see it."""
    point = ServicePointFactory(org=city.other_community, name="府右街劳动者驿站")
    city.foreign_extra.append(point.name)
    return point


@pytest.fixture
def point(city):
    return ServicePointFactory(org=city.community, name="多福巷职工之家")
