"""Purchased projects: organisations (USCC checked), sessions, beneficiaries, statistics."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from gonghui.benefits.selectors import project_stats
from gonghui.benefits.services.projects import (
    project_create,
    project_evaluate,
    session_add,
    social_org_create,
)
from gonghui.orgs.tests.factories import make_uscc
from gonghui.testing import logged_in

pytestmark = pytest.mark.django_db


def _project(org, organisation, name="职工心理关爱服务"):
    return project_create(
        org=org, organisation=organisation, name=name, contract_amount=Decimal("300000"),
        starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31), planned_sessions=24,
    )  # fmt: skip


def test_a_bad_credit_code_is_refused(city):
    good = make_uscc(1)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    with pytest.raises(ValidationError) as caught:
        social_org_create(org=city.street, name="阳光社工", uscc=bad)
    assert "uscc" in caught.value.message_dict
    with pytest.raises(ValidationError):
        social_org_create(org=city.street, name="阳光社工", uscc="12345")
    assert social_org_create(org=city.street, name="阳光社工", uscc=good.lower()).uscc == good


def test_statistics_in_the_seeds_terms(city, street_officer):
    first = social_org_create(org=city.street, name="阳光社工", uscc=make_uscc(2))
    second = social_org_create(org=city.community, name="同心家园", uscc=make_uscc(3))
    a, b, c = (
        _project(city.street, first),
        _project(city.street, first, "法律服务进园区"),
        _project(city.community, second),
    )
    for project, people in ((a, 30), (a, 25), (b, 40), (c, 12)):
        session_add(
            project=project, held_on=date(2026, 3, 1), place="东华门职工之家", participants=people
        )
    other = social_org_create(org=city.other_district, name="西城社工", uscc=make_uscc(4))
    session_add(
        project=_project(city.other_district, other),
        held_on=date(2026, 3, 1),
        place="西城",
        participants=99,
    )
    stats = project_stats(user=street_officer)
    assert (stats.projects, stats.organisations, stats.sessions, stats.beneficiaries) == (
        3,
        2,
        4,
        107,
    )
    page = logged_in(street_officer).get("/benefits/projects/").content.decode()
    assert "西城社工" not in page


def test_a_session_outside_the_period_is_refused(city):
    project = _project(
        city.street, social_org_create(org=city.street, name="阳光社工", uscc=make_uscc(5))
    )
    with pytest.raises(ValidationError):
        session_add(project=project, held_on=date(2027, 1, 5), place="东华门", participants=10)


def test_sessions_and_evaluation_recorded_on_the_project_page(city, street_officer):
    project = _project(
        city.community, social_org_create(org=city.community, name="同心家园", uscc=make_uscc(6))
    )
    client = logged_in(street_officer)
    client.post(
        f"/benefits/projects/{project.pk}/sessions/",
        {"held_on": "2026-04-02", "place": "多福巷社区活动室", "participants": "18"},
    )
    client.post(
        f"/benefits/projects/{project.pk}/evaluation/",
        {"score": "92", "evaluation": "职工满意度高"},
    )
    project.refresh_from_db()
    assert project.sessions.get().participants == 18
    assert project.evaluation_score == 92
    evaluated = project_evaluate(project=project, score=80, evaluation="")
    assert evaluated.evaluation_score == 80


def test_project_of_another_district_answers_404(city, street_officer):
    project = _project(
        city.other_district,
        social_org_create(org=city.other_district, name="西城社工", uscc=make_uscc(7)),
    )
    assert logged_in(street_officer).get(f"/benefits/projects/{project.pk}/").status_code == 404
