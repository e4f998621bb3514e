import json
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import translation

from gonghui.accounts.models import Role
from gonghui.accounts.services import user_create_or_update
from gonghui.orgs.models import (
    CandidateStatus,
    Employer,
    EmployerChange,
    EmployerStatus,
    OrgStatus,
    RegisterVerification,
    RemovalCandidate,
    RemovalReason,
    RunStatus,
    UnionOrg,
)
from gonghui.orgs.services.verification import (
    register_verify,
    register_verify_run,
    removal_confirm,
    removal_dismiss,
)
from gonghui.orgs.tests.conftest import AS_OF, write_csv
from gonghui.testing import PASSWORD, logged_in

EXPECTED = {
    "rows": 7,
    "matched": 3,
    "new": 1,
    "updated": 1,
    "removal_candidates": 2,
    "unorganized": 2,
    "rejected": 2,
}


def _verify(register, city, **kwargs):
    return register_verify(path=register.path, scope_org=city.district, as_of=AS_OF, **kwargs)


def _snapshot():
    return (
        sorted(Employer.objects.values_list("uscc", "name", "address", "status", "employees")),
        sorted(RemovalCandidate.objects.values_list("employer_id", "reason", "status")),
        EmployerChange.objects.count(),
    )


def test_verification_gives_exactly_the_expected_counts(register, city):
    assert _verify(register, city).summary() == EXPECTED


def test_the_command_prints_the_counts_as_json(register, city):
    out = StringIO()
    call_command(
        "verify_employers", str(register.path), "--org", "110101", "--as-of", "2026-11-30",
        "--json", stdout=out,
    )  # fmt: skip
    assert json.loads(out.getvalue()) == EXPECTED


def test_a_second_run_changes_nothing(register, city):
    _verify(register, city)
    before = _snapshot()
    again = _verify(register, city).summary()
    # The employer the first run added is matched now; nothing is new or updated.
    assert again == {**EXPECTED, "matched": 4, "new": 0, "updated": 0}
    assert _snapshot() == before


def test_nothing_is_removed_before_confirmation(register, city):
    total = Employer.objects.count()
    _verify(register, city)
    assert Employer.objects.count() == total + 1  # the new one; nobody removed
    for employer in (register.missing, register.deregistered):
        employer.refresh_from_db()
        assert employer.status == EmployerStatus.OPERATING
    reasons = dict(
        RemovalCandidate.objects.filter(status=CandidateStatus.PENDING).values_list(
            "employer_id", "reason"
        )
    )
    assert reasons == {
        register.missing.pk: RemovalReason.MISSING,
        register.deregistered.pk: RemovalReason.DEREGISTERED,
    }


def test_changed_name_and_address_are_updated_with_history(register, city):
    _verify(register, city)
    register.renamed.refresh_from_db()
    assert (register.renamed.name, register.renamed.address) == (
        "北京新名有限公司",
        "东城区新址8号",
    )
    changes = set(
        EmployerChange.objects.filter(employer=register.renamed).values_list(
            "field", "old_value", "new_value"
        )
    )
    assert changes == {
        ("name", "北京旧名有限公司", "北京新名有限公司"),
        ("address", "东城区旧址1号", "东城区新址8号"),
    }


def test_new_employers_are_added_under_their_region_and_deregistered_ones_are_not(register, city):
    _verify(register, city)
    new = Employer.objects.get(uscc=register.new_uscc)
    assert (new.name, new.org, new.status) == ("北京新开有限公司", city.district, "operating")
    assert not Employer.objects.filter(uscc=register.gone_uscc).exists()


def test_rows_of_another_district_and_bad_codes_are_rejected_with_row_numbers(register, city):
    with translation.override("en"):
        result = _verify(register, city)
    rows = {(e.row, e.column) for e in result.errors}
    assert rows == {(7, "uscc"), (8, "uscc")}
    assert "outside your scope" in result.errors[-1].reason
    city.other_employer.refresh_from_db()
    assert city.other_employer.name == "北京西城建设有限公司"


def test_confirming_removes_the_employer_keeps_history_and_dissolves_its_lone_union(
    register, city, district_officer
):
    _verify(register, city)
    candidate = RemovalCandidate.objects.get(employer=register.missing)
    removal_confirm(user=district_officer, candidate=candidate, note="实地核查已搬离")
    register.missing.refresh_from_db()
    assert register.missing.status == EmployerStatus.REMOVED
    assert UnionOrg.objects.get(code="E00000009").status == OrgStatus.DISSOLVED
    change = EmployerChange.objects.get(employer=register.missing, field="status")
    assert (change.old_value, change.new_value) == ("operating", "removed")
    candidate.refresh_from_db()
    assert (candidate.status, candidate.decided_by) == (CandidateStatus.CONFIRMED, district_officer)


def test_a_deregistered_candidate_becomes_deregistered(register, city, district_officer):
    _verify(register, city)
    candidate = RemovalCandidate.objects.get(employer=register.deregistered)
    removal_confirm(user=district_officer, candidate=candidate)
    register.deregistered.refresh_from_db()
    assert register.deregistered.status == EmployerStatus.DEREGISTERED


def test_a_dismissal_needs_a_reason_and_is_not_raised_again(register, city, district_officer):
    _verify(register, city)
    candidate = RemovalCandidate.objects.get(employer=register.missing)
    with pytest.raises(ValidationError):
        removal_dismiss(user=district_officer, candidate=candidate, note=" ")
    removal_dismiss(user=district_officer, candidate=candidate, note="迁址，登记库未更新")
    assert _verify(register, city).removal_candidates == 1
    assert not RemovalCandidate.objects.filter(
        employer=register.missing, status=CandidateStatus.PENDING
    ).exists()


def test_a_decided_candidate_cannot_be_decided_again(register, city, district_officer):
    _verify(register, city)
    candidate = RemovalCandidate.objects.get(employer=register.missing)
    removal_confirm(user=district_officer, candidate=candidate)
    with pytest.raises(ValidationError):
        removal_dismiss(user=district_officer, candidate=candidate, note="x")


def test_a_readonly_user_may_not_decide(register, city):
    _verify(register, city)
    reader = user_create_or_update(
        username="reader", scope_org=city.district, role=Role.READONLY, password=PASSWORD
    )
    candidate = RemovalCandidate.objects.get(employer=register.missing)
    with pytest.raises(PermissionDenied):
        removal_confirm(user=reader, candidate=candidate)


def test_an_employer_back_in_the_register_withdraws_its_candidate(register, city, tmp_path):
    _verify(register, city)
    later = write_csv(
        tmp_path / "later.csv", [f"{register.missing.uscc},{register.missing.name},存续,,,"]
    )
    register_verify(path=later, scope_org=city.street, as_of=AS_OF)
    candidate = RemovalCandidate.objects.get(employer=register.missing)
    assert candidate.status == CandidateStatus.WITHDRAWN


def test_the_page_queues_an_upload_and_the_job_lists_candidates(register, city, district_officer):
    client = logged_in(district_officer)
    with register.path.open("rb") as f:
        response = client.post("/orgs/verification/", {"file": f, "as_of": "2026-11-30"})
    assert response.status_code == 302
    run = RegisterVerification.objects.get()
    assert (run.status, run.org) == (RunStatus.QUEUED, city.district)
    register_verify_run(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    assert (run.rows, run.new, run.removal_candidates, run.rejected) == (7, 1, 2, 2)
    assert [error[0] for error in run.errors] == [7, 8]
    body = client.get("/orgs/verification/").content.decode()
    assert 'data-status="done"' in body
    assert register.missing.name in body


@pytest.mark.django_db(transaction=True)
def test_an_upload_runs_as_a_background_job(register, city, district_officer):
    from gonghui.testing import run_gonghui

    with register.path.open("rb") as f:
        logged_in(district_officer).post("/orgs/verification/", {"file": f})
    worker = run_gonghui("db_worker", "--batch", "--no-startup-delay", "--no-reload")
    assert worker.returncode == 0, worker.stderr
    run = RegisterVerification.objects.get()
    assert (run.status, run.matched, run.removal_candidates) == (RunStatus.DONE, 3, 2)


def test_an_unreadable_upload_fails_with_its_reason(city, district_officer):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("register.csv", "名称,地址\n甲,乙\n".encode())
    logged_in(district_officer).post("/orgs/verification/", {"file": upload})
    run = register_verify_run(run_id=RegisterVerification.objects.get().pk)
    assert run.status == RunStatus.FAILED
    assert "统一社会信用代码" in run.failure


def test_an_officer_confirms_on_the_page(register, city, district_officer):
    _verify(register, city)
    candidate = RemovalCandidate.objects.get(employer=register.missing)
    response = logged_in(district_officer).post(
        f"/orgs/verification/candidates/{candidate.pk}/decide/", {"decision": "confirm"}
    )
    assert response.status_code == 302
    register.missing.refresh_from_db()
    assert register.missing.status == EmployerStatus.REMOVED


def test_another_districts_officer_gets_404_on_a_candidate(register, city, other_district_officer):
    _verify(register, city)
    candidate = RemovalCandidate.objects.get(employer=register.missing)
    response = logged_in(other_district_officer).post(
        f"/orgs/verification/candidates/{candidate.pk}/decide/", {"decision": "confirm"}
    )
    assert response.status_code == 404
    register.missing.refresh_from_db()
    assert register.missing.status == EmployerStatus.OPERATING
