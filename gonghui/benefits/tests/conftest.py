import pytest

from gonghui.benefits.tests.helpers import member_at, programme_at


@pytest.fixture
def programme(city):
    return programme_at(city.city)


@pytest.fixture
def worker(city):
    """A member of the community's enterprise union, with a phone, member since 2020."""
    return member_at(city.community, name="李建国", employer=city.employer)
