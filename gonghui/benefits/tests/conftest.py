import pytest

# The English page recording CSP violations, shared with the appeal line's browser tests.
from gonghui.appeals.tests.test_browser import english  # noqa: F401
from gonghui.benefits.tests.helpers import member_at, programme_at


@pytest.fixture
def programme(city):
    return programme_at(city.city)


@pytest.fixture
def worker(city):
    """A member of the community's enterprise union, with a phone, member since 2020."""
    return member_at(city.community, name="李建国", employer=city.employer)
