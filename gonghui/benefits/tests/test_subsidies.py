"""职业发展助推计划: the eligibility rules, review, the budget, payment batches, statistics."""

import json
import re
from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from python_calamine import CalamineWorkbook

from gonghui.benefits.models import Occupation, SubsidyStatus
from gonghui.benefits.selectors import subsidy_stats
from gonghui.benefits.services.subsidies import (
    DuplicateCertificate,
    batch_create,
    batch_mark_paid,
    subsidy_correct,
    subsidy_decide,
)
from gonghui.benefits.tests.helpers import (
    ELECTRICIAN,
    WELDER,
    application_at,
    member_at,
    programme_at,
)
from gonghui.core import pii
from gonghui.members.models import MemberStatus
from gonghui.notify.models import OutboxMessage
from gonghui.testing import api_client, logged_in

pytestmark = pytest.mark.django_db


def test_level_1_certificate_pays_2000(city, programme, worker):
    application = application_at(city.community, programme=programme, member=worker, level=1)
    assert application.eligible
    assert application.status == SubsidyStatus.SUBMITTED
    assert application.amount == Decimal(2000)
    assert application.reasons == []


def test_level_2_certificate_pays_1000(city, programme, worker):
    application = application_at(city.community, programme=programme, member=worker, level=2)
    assert application.eligible
    assert application.amount == Decimal(1000)


@pytest.mark.parametrize("level", [3, 4, 5])
def test_other_levels_are_refused_with_the_reason(city, programme, worker, level):
    application = application_at(city.community, programme=programme, member=worker, level=level)
    assert not application.eligible
    assert application.status == SubsidyStatus.REJECTED
    assert application.amount == 0
    assert application.reasons == [f"证书等级{level}不在本计划资助范围内（资助等级：1, 2）。"]


def test_the_same_certificate_twice_is_refused_naming_the_earlier_application(
    city, programme, worker
):
    first = application_at(
        city.community, programme=programme, member=worker, certificate_no="ABC 123"
    )
    other = member_at(city.community)
    with pytest.raises(DuplicateCertificate) as caught:
        application_at(city.community, programme=programme, member=other, certificate_no="abc123")
    assert caught.value.earlier == first
    assert first.code in caught.value.messages[0]


def test_a_refused_certificate_may_be_applied_for_again(city, programme, worker):
    refused = application_at(
        city.community, programme=programme, member=worker, level=3, certificate_no="X1"
    )
    again = application_at(
        city.community, programme=programme, member=worker, level=1, certificate_no="X1"
    )
    assert refused.status == SubsidyStatus.REJECTED
    assert again.eligible


def test_every_failed_rule_is_named(city):
    programme = programme_at(city.city, min_member_months=24)
    newcomer = member_at(city.community, joined_on=timezone.localdate() - timedelta(days=40))
    newcomer.status = MemberStatus.LAPSED
    newcomer.save()
    application = application_at(
        city.community,
        programme=programme,
        member=newcomer,
        level=4,
        occupation_code="4-10-03-02",  # listed nationally, not by this programme
        issued_on=timezone.localdate() + timedelta(days=3),
    )
    reasons = " ".join(application.reasons)
    assert len(application.reasons) == 5
    for words in ("不是在册的有效会员", "入会满24个月", "证书等级4", "4-10-03-02", "发证日期"):
        assert words in reasons


def test_a_member_is_paid_once_per_level(city, programme, worker):
    application_at(city.community, programme=programme, member=worker, level=1)
    second = application_at(
        city.community, programme=programme, member=worker, level=1, occupation_code=ELECTRICIAN
    )
    assert not second.eligible
    assert "已有" in second.reasons[0]
    other_level = application_at(city.community, programme=programme, member=worker, level=2)
    assert other_level.eligible


def test_approval_informs_the_applicant_by_sms(city, programme, worker, street_officer):
    application = application_at(city.community, programme=programme, member=worker)
    subsidy_decide(user=street_officer, application=application, decision="approve")
    application.refresh_from_db()
    assert application.status == SubsidyStatus.APPROVED
    message = OutboxMessage.objects.get(reference=application.code)
    assert "已批准" in message.body
    assert "2000" in message.body


def test_reject_and_return_need_a_reason(city, programme, worker, street_officer):
    application = application_at(city.community, programme=programme, member=worker)
    with pytest.raises(ValidationError):
        subsidy_decide(user=street_officer, application=application, decision="reject")


def test_a_returned_application_is_corrected_and_checked_again(
    city, programme, worker, street_officer
):
    application = application_at(city.community, programme=programme, member=worker)
    subsidy_decide(
        user=street_officer, application=application, decision="return", note="证书扫描件不清晰"
    )
    corrected = subsidy_correct(
        application=application, certificate_no=application.certificate_no, level=2,
        occupation_code=WELDER, issued_on=application.issued_on,
    )  # fmt: skip
    assert corrected.status == SubsidyStatus.SUBMITTED
    assert corrected.amount == Decimal(1000)


def test_approvals_stop_at_the_budget(city, street_officer):
    programme = programme_at(city.city, budget="5000")
    applications = [application_at(city.community, programme=programme) for _ in range(3)]
    subsidy_decide(user=street_officer, application=applications[0], decision="approve")
    subsidy_decide(user=street_officer, application=applications[1], decision="approve")
    with pytest.raises(ValidationError) as caught:
        subsidy_decide(user=street_officer, application=applications[2], decision="approve")
    assert "预算" in caught.value.messages[0]
    applications[2].refresh_from_db()
    assert applications[2].status == SubsidyStatus.SUBMITTED


def test_payment_batch_is_exported_for_the_bank_and_marked_paid(city, programme, street_officer):
    applications = [application_at(city.community, programme=programme, level=n) for n in (1, 2)]
    for application in applications:
        subsidy_decide(user=street_officer, application=application, decision="approve")
    batch = batch_create(user=street_officer, programme=programme, org=city.street)
    response = logged_in(street_officer).get(f"/benefits/batches/{batch.pk}/export.xlsx")
    assert response.status_code == 200
    rows = (
        CalamineWorkbook.from_filelike(BytesIO(b"".join(response.streaming_content)))
        .get_sheet_by_index(0)
        .to_python()
    )
    assert rows[0][0] == "申请编号"
    assert sorted(row[7] for row in rows[1:]) == ["1000.00", "2000.00"]
    assert all("*" in row[2] for row in rows[1:])  # ID numbers masked
    batch_mark_paid(user=street_officer, batch=batch)
    stats = subsidy_stats(user=street_officer, programme=programme)
    assert (stats.applications, stats.approved, stats.paid, stats.beneficiaries) == (2, 2, 2, 2)
    assert stats.amount == stats.amount_paid == Decimal(3000)
    with pytest.raises(ValidationError):
        batch_mark_paid(user=street_officer, batch=batch)


def test_statistics_count_only_the_officers_subtree(city, programme, street_officer):
    application_at(city.community, programme=programme)
    application_at(city.other_community, programme=programme)
    assert subsidy_stats(user=street_officer, programme=programme).applications == 1


# --- the API ------------------------------------------------------------------------------------


def _paper(worker, programme, **overrides):
    body = {
        "programme": programme.code,
        "id_number": pii.decrypt(worker.id_number),
        "certificate_no": "GZ2026000111",
        "level": 1,
        "occupation_code": WELDER,
        "issued_on": (timezone.localdate() - timedelta(days=10)).isoformat(),
    }
    return json.dumps({**body, **overrides})


def test_api_lists_programmes_with_levels_and_occupations(programme, street_officer):
    answer = api_client(street_officer).get("/api/v1/subsidy-programmes").json()
    assert answer["count"] == 1
    listed = answer["items"][0]
    assert listed["code"] == "ZYFZ"
    assert listed["levels"] == {"1": "2000.00", "2": "1000.00"}
    assert {"code": WELDER, "name": "焊工"} in listed["occupations"]


def test_api_enters_a_paper_application(programme, worker, street_officer):
    response = api_client(street_officer).post(
        "/api/v1/subsidy-applications", _paper(worker, programme), content_type="application/json"
    )
    assert response.status_code == 201
    answer = response.json()
    assert answer["eligible"] is True
    assert answer["amount"] == "2000.00"
    assert answer["reasons"] == []
    assert answer["code"].startswith("SA")


def test_api_refuses_a_repeated_certificate_with_409(programme, worker, street_officer):
    client = api_client(street_officer)
    first = client.post(
        "/api/v1/subsidy-applications", _paper(worker, programme), content_type="application/json"
    )
    again = client.post(
        "/api/v1/subsidy-applications",
        _paper(worker, programme, level=2),
        content_type="application/json",
    )
    assert again.status_code == 409
    assert again.json()["earlier"] == first.json()["code"]
    assert first.json()["code"] in again.json()["detail"]


def test_api_reports_the_reasons_of_an_ineligible_application(programme, worker, street_officer):
    response = api_client(street_officer).post(
        "/api/v1/subsidy-applications",
        _paper(worker, programme, level=3),
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["eligible"] is False
    assert response.json()["amount"] == "0.00"
    assert "证书等级3" in response.json()["reasons"][0]


def test_api_refuses_a_non_member(programme, street_officer):
    from gonghui.members.tests.factories import make_id_number

    body = json.dumps(
        {"programme": programme.code, "id_number": make_id_number(987654), "certificate_no": "N1",
         "level": 1, "occupation_code": WELDER, "issued_on": "2026-01-01"}
    )  # fmt: skip
    response = api_client(street_officer).post(
        "/api/v1/subsidy-applications", body, content_type="application/json"
    )
    assert response.status_code == 404
    assert "会员" in response.json()["detail"]


def test_api_answers_404_for_a_member_outside_the_subtree(
    city, programme, other_district_officer, worker
):
    response = api_client(other_district_officer).post(
        "/api/v1/subsidy-applications", _paper(worker, programme), content_type="application/json"
    )
    assert response.status_code == 404


# --- pages --------------------------------------------------------------------------------------


def test_officer_outside_the_subtree_gets_404_on_an_application(
    city, programme, other_district_officer
):
    application = application_at(city.community, programme=programme)
    client = logged_in(other_district_officer)
    assert client.get(f"/benefits/applications/{application.code}/").status_code == 404
    assert (
        client.post(
            f"/benefits/applications/{application.code}/decide/", {"decision": "approve"}
        ).status_code
        == 404
    )


def test_reviewer_approves_on_the_application_page(city, programme, street_officer):
    application = application_at(city.community, programme=programme)
    client = logged_in(street_officer)
    page = client.get(f"/benefits/applications/{application.code}/")
    assert application.member.id_number_masked in page.content.decode()
    client.post(f"/benefits/applications/{application.code}/decide/", {"decision": "approve"})
    application.refresh_from_db()
    assert application.status == SubsidyStatus.APPROVED


def test_programme_page_shows_the_statistics(city, programme, street_officer):
    application_at(city.community, programme=programme)
    body = logged_in(street_officer).get(f"/benefits/programmes/{programme.pk}/").content.decode()
    assert 'data-testid="stat-applications">1<' in body


def test_issued_on_before_the_programme_is_accepted(city, programme, worker):
    """The certificate may predate the programme; only the application date is bounded."""
    application = application_at(
        city.community, programme=programme, member=worker, issued_on=date(2019, 1, 1)
    )
    assert application.eligible


def _batch_with_two(city, programme, officer):
    for level in (1, 2):
        application = application_at(city.community, programme=programme, level=level)
        subsidy_decide(user=officer, application=application, decision="approve")
    return batch_create(user=officer, programme=programme, org=city.street)


def test_bank_file_with_full_id_numbers_needs_the_permission_and_a_reason(
    city, programme, city_admin, street_officer
):
    from gonghui.core.models import AuditEntry

    batch = _batch_with_two(city, programme, street_officer)
    url = f"/benefits/batches/{batch.pk}/export.xlsx"
    assert logged_in(street_officer).post(url, {"reason": "银行代发"}).status_code == 403
    refused = logged_in(city_admin).post(url, {"reason": ""})
    assert refused.status_code == 302
    response = logged_in(city_admin).post(url, {"reason": "银行代发"})
    rows = (
        CalamineWorkbook.from_filelike(BytesIO(b"".join(response.streaming_content)))
        .get_sheet_by_index(0)
        .to_python()
    )
    assert all(re.fullmatch(r"\d{17}[\dX]", row[2]) for row in rows[1:])
    entry = AuditEntry.objects.filter(target_id=str(batch.pk)).latest("pk")
    assert entry.reason == "银行代发"
    assert entry.detail["unmasked"] is True


def test_no_page_api_or_masked_file_shows_a_full_id_number_or_phone(
    city, programme, worker, street_officer
):
    application = application_at(city.community, programme=programme, member=worker)
    batch = _batch_with_two(city, programme, street_officer)
    client = logged_in(street_officer)
    bodies = [
        client.get(url).content.decode()
        for url in (
            "/benefits/applications/",
            f"/benefits/applications/{application.code}/",
            f"/benefits/programmes/{programme.pk}/",
        )
    ]
    bodies.append(json.dumps(api_client(street_officer).get("/api/v1/subsidy-programmes").json()))
    xlsx = client.get(f"/benefits/batches/{batch.pk}/export.xlsx")
    rows = (
        CalamineWorkbook.from_filelike(BytesIO(b"".join(xlsx.streaming_content)))
        .get_sheet_by_index(0)
        .to_python()
    )
    bodies.append(json.dumps(rows, ensure_ascii=False))
    for body in bodies:
        assert not re.search(r"\d{17}[\dXx]", body)
        assert not re.search(r"1[3-9]\d{9}", body)


def test_an_officer_configures_a_programme(city, street_officer):
    from gonghui.benefits.models import SubsidyProgramme
    from gonghui.benefits.services.subsidies import occupations_seed

    occupations_seed()
    client = logged_in(street_officer)
    form = {
        "org": city.street.code, "code": "dhm-jn", "name": "东华门技能提升补贴",
        "starts_on": "2026-01-01", "ends_on": "2026-12-31", "budget": "50000",
        "levels": "1=3000，2=1500, 3=800", "min_member_months": "12",
        "occupations": [o.pk for o in Occupation.objects.filter(code__in=[WELDER, ELECTRICIAN])],
    }  # fmt: skip
    response = client.post("/benefits/programmes/new/", form)
    programme = SubsidyProgramme.objects.get(code="DHM-JN")
    assert response["Location"] == f"/benefits/programmes/{programme.pk}/"
    assert programme_levels_of(programme) == {1: 3000, 2: 1500, 3: 800}
    assert set(programme.occupations.values_list("code", flat=True)) == {WELDER, ELECTRICIAN}
    bad = client.post("/benefits/programmes/new/", {**form, "code": "X2", "levels": "一级2000"})
    assert "不是“等级=金额”的格式" in bad.content.decode()


def programme_levels_of(programme):
    from gonghui.benefits.services.subsidies import programme_levels

    return {level: int(amount) for level, amount in programme_levels(programme).items()}


def test_the_budget_never_drops_below_what_is_approved(city, street_officer):
    programme = programme_at(city.street, code="DHM", budget="10000")
    subsidy_decide(
        user=street_officer,
        application=application_at(city.community, programme=programme),
        decision="approve",
    )
    with pytest.raises(ValidationError) as caught:
        programme_at(city.street, code="DHM", budget="1000")
    assert "budget" in caught.value.message_dict


def test_officers_below_read_but_do_not_configure_the_citys_programme(programme, street_officer):
    client = logged_in(street_officer)
    assert client.get(f"/benefits/programmes/{programme.pk}/edit/").status_code == 200
    assert (
        client.post(f"/benefits/programmes/{programme.pk}/edit/", {"name": "x"}).status_code == 403
    )
