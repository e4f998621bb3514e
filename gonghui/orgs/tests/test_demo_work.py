"""The demo's organisation work: register file, supervision in every state, staffing,
elections and ratings — written once, unchanged by a re-run."""

import csv
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

from gonghui.orgs.demo import REGISTER_FILE
from gonghui.orgs.models import (
    ChairElection,
    ElectionMethod,
    Employer,
    EmployerStatus,
    RatingAssessment,
    SupervisionFollowUp,
    SupervisionItem,
    SupervisionStatus,
    UnionWorker,
)
from gonghui.orgs.services.verification import register_verify
from gonghui.orgs.tests.test_demo import run_demo

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path


def _counts() -> tuple[int, ...]:
    models = (
        SupervisionItem, SupervisionFollowUp, UnionWorker, ChairElection, RatingAssessment,
    )  # fmt: skip
    return tuple(model.objects.count() for model in models)


def test_the_demo_puts_supervision_items_in_every_state():
    run_demo()
    states = set(SupervisionItem.objects.values_list("status", flat=True))
    assert states == set(SupervisionStatus.values)


def test_the_demo_records_staffing_elections_and_ratings():
    run_demo()
    assert UnionWorker.objects.exists()
    methods = set(ChairElection.objects.values_list("method", flat=True))
    assert methods == set(ElectionMethod.values)
    assert RatingAssessment.objects.exists()


def test_a_demo_rerun_writes_nothing_new():
    run_demo()
    first = _counts()
    run_demo()
    assert _counts() == first


def test_the_demo_register_has_every_kind_of_difference():
    run_demo()
    path = settings.VAR_DIR / REGISTER_FILE
    with path.open(encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    assert rows[0][0] == "统一社会信用代码"
    from gonghui.orgs.models import UnionOrg

    city = UnionOrg.objects.get(code="110000")
    result = register_verify(path=path, scope_org=city)
    assert result.rejected == 0
    assert result.created > 0  # new employers
    assert result.updated > 0  # renamed and moved
    assert result.removal_candidates > 0  # missing or deregistered
    assert not Employer.objects.filter(status=EmployerStatus.REMOVED).exists()
    out = StringIO()
    call_command("verify_employers", str(path), "--json", stdout=out)
    assert '"new": 0' in out.getvalue()
