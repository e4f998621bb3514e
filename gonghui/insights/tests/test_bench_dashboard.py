"""`gonghui bench_dashboard` at a small scale: `make bench` runs it after the import benchmark, so
a column the models gain and its set-based generation leaves out must fail here, not there."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from gonghui.appeals.models import Appeal
from gonghui.members.models import Member
from gonghui.orgs.models import Employer, UnionOrg

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the dashboard benchmark is PostgreSQL's"
)

SMALL = {
    "members": 400,
    "appeals": 100,
    "districts": 2,
    "streets": 1,
    "communities": 2,
    "unions": 2,
    "runs": 2,
}


def _counts() -> tuple[int, ...]:
    return tuple(model.objects.count() for model in (UnionOrg, Employer, Member, Appeal))


@pytest.mark.django_db
def test_bench_dashboard_generates_measures_and_judges_every_query():
    out = StringIO()
    call_command("bench_dashboard", stdout=out, **SMALL)
    text = out.getvalue()
    assert "generated 400 members, 100 appeals" in text
    assert "city: dashboard page" in text
    assert "street: statistical report page" in text
    assert "dashboard queries: worst p95" in text


@pytest.mark.django_db
def test_bench_dashboard_leaves_the_database_as_it_found_it():
    before = _counts()
    call_command("bench_dashboard", stdout=StringIO(), **SMALL)
    assert _counts() == before
