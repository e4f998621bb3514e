import re
from datetime import date, datetime, time, timedelta

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gonghui.accounts.models import Role
from gonghui.accounts.services import user_create_or_update
from gonghui.core import pii
from gonghui.core.tests.test_workdays import load_reference_calendar
from gonghui.members.models import ApplicationStatus, JoinApplication, Member, MemberSource
from gonghui.members.services.joining import (
    LOOKUP_ALPHABET,
    join_application_approve,
    join_application_overdue,
    join_application_reject,
    join_application_submit,
    join_applications_overdue,
)
from gonghui.members.tests.factories import MemberFactory, make_id_number, make_phone
from gonghui.orgs.models import EmployerStatus
from gonghui.orgs.tests.factories import EmployerFactory
from gonghui.testing import PASSWORD, logged_in

FULL_ID = re.compile(r"\d{17}[\dXx]")
FULL_PHONE = re.compile(r"1[3-9]\d{9}")


def _portal() -> Client:
    """An anonymous worker who picked English (the messages checked below are the English ones)."""
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _staff(user) -> Client:
    client = logged_in(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _submit(employer, seq: int = 1, name: str = "王小明") -> JoinApplication:
    return join_application_submit(
        name=name, id_number=make_id_number(seq), phone=make_phone(seq), employer=employer
    )


def _form(employer, /, seq: int = 1, **overrides: str) -> dict[str, str]:
    data = {
        "name": "王小明",
        "id_number": make_id_number(seq),
        "phone": make_phone(seq),
        "q": employer.name,
        "employer": employer.uscc,
        "consent": "on",
    }
    return {**data, **overrides}


def _apply(client: Client, data: dict[str, str]):
    return client.post(reverse("members:portal_join"), data, follow=True)


def _set_submitted(application: JoinApplication, day: date, hour: int = 10) -> None:
    moment = timezone.make_aware(datetime.combine(day, time(hour)))
    JoinApplication.objects.filter(pk=application.pk).update(submitted_at=moment)
    application.refresh_from_db()


# --- routing -------------------------------------------------------------------------------------


def test_an_application_is_routed_to_the_employers_union(city):
    application = _submit(city.employer)
    assert application.org == city.employer.union
    assert application.status == ApplicationStatus.PENDING


def test_an_application_goes_to_the_community_union_when_the_employer_has_none(city):
    assert _submit(city.other_employer).org == city.other_community


def test_an_application_is_refused_when_the_employer_has_no_union_and_no_community(city):
    with pytest.raises(ValidationError) as refused:
        _submit(city.sibling_employer)
    assert refused.value.code == "no_union"
    assert not JoinApplication.objects.exists()


def test_the_portal_suggests_the_street_federation_when_the_employer_has_no_union(city):
    response = _apply(_portal(), _form(city.sibling_employer))
    assert "street (township) federation" in response.content.decode()
    assert not JoinApplication.objects.exists()


def test_id_number_and_phone_are_stored_encrypted_indexed_and_masked(city):
    application = _submit(city.employer, seq=7)
    id_number, phone = make_id_number(7), make_phone(7)
    assert id_number not in application.id_number
    assert pii.decrypt(application.id_number) == id_number
    assert application.id_number_index == pii.blind_index(id_number, kind="id_number")
    assert application.id_number_masked == pii.mask_id_number(id_number)
    assert pii.decrypt(application.phone) == phone
    assert application.phone_index == pii.blind_index(phone, kind="phone")
    assert application.phone_masked == pii.mask_phone(phone)


def test_lookup_codes_are_8_unambiguous_characters(city):
    codes = {_submit(city.employer, seq=n).lookup_code for n in range(1, 21)}
    assert len(codes) == 20
    for code in codes:
        assert len(code) == 8
        assert set(code) <= set(LOOKUP_ALPHABET)
    assert not set(LOOKUP_ALPHABET) & set("0O1IL")


# --- the portal ----------------------------------------------------------------------------------


def test_the_portal_shows_the_lookup_code_after_applying(city):
    response = _apply(_portal(), _form(city.employer))
    application = JoinApplication.objects.get()
    assert response.status_code == 200
    assert response.context["application"] == application
    assert application.lookup_code in response.content.decode()


def test_the_portal_names_the_field_of_an_invalid_id_number(city):
    bad = make_id_number(1)[:17] + ("1" if make_id_number(1)[17] != "1" else "2")
    response = _apply(_portal(), _form(city.employer, id_number=bad))
    assert "check digit" in str(response.context["form"].errors["id_number"])
    assert not JoinApplication.objects.exists()


def test_the_portal_names_the_field_of_an_invalid_phone(city):
    response = _apply(_portal(), _form(city.employer, phone="12345"))
    assert "11 digits" in str(response.context["form"].errors["phone"])


def test_the_portal_needs_consent(city):
    data = _form(city.employer)
    del data["consent"]
    response = _apply(_portal(), data)
    assert "consent" in response.context["form"].errors
    assert not JoinApplication.objects.exists()


def test_the_portal_needs_an_employer_from_the_list(city):
    response = _apply(_portal(), _form(city.employer, q="不存在的公司", employer=""))
    assert "q" in response.context["form"].errors


def test_the_portal_accepts_an_employer_typed_by_its_credit_code(city):
    _apply(_portal(), _form(city.employer, q=city.employer.uscc.lower(), employer=""))
    assert JoinApplication.objects.get().employer == city.employer


def test_an_existing_member_gets_a_polite_refusal_that_does_not_say_where(city):
    MemberFactory(org=city.other_community, id_number=make_id_number(3), phone=make_phone(99))
    response = _apply(_portal(), _form(city.employer, seq=3))
    body = response.content.decode()
    assert "already a union member" in body
    assert city.other_community.name not in body
    assert not JoinApplication.objects.exists()


def test_a_second_application_while_one_is_pending_is_refused_without_its_code(city):
    first = _submit(city.employer, seq=4)
    response = _apply(_portal(), _form(city.other_employer, seq=4))
    body = response.content.decode()
    assert "already waiting for a decision" in body
    assert first.lookup_code not in body
    assert JoinApplication.objects.count() == 1


def test_a_new_application_is_possible_after_a_rejection(city, street_officer):
    first = _submit(city.employer, seq=5)
    join_application_reject(user=street_officer, application=first, reason="资料不全")
    assert _submit(city.employer, seq=5).status == ApplicationStatus.PENDING


def _without_csrf(body: str) -> str:
    """The page without its per-response tokens: the CSRF token and the CSP nonce."""
    body = re.sub(r'nonce="[A-Za-z0-9+/=]+"', 'nonce="NONCE"', body)
    return re.sub(r"[A-Za-z0-9]{64}", "TOKEN", body)


def _status(client: Client, code: str, last4: str) -> str:
    response = client.post(reverse("members:portal_join_status"), {"code": code, "last4": last4})
    return response.content.decode()


def test_status_lookup_with_the_code_and_the_last_4_phone_digits_shows_the_status(city):
    application = _submit(city.employer, seq=6)
    body = _status(_portal(), application.lookup_code.lower(), make_phone(6)[-4:])
    assert 'data-status="pending"' in body
    assert city.employer.union.name in body


def test_status_lookup_with_wrong_digits_answers_like_an_unknown_code(city):
    application = _submit(city.employer, seq=6)
    wrong_digits = _status(_portal(), application.lookup_code, "0000")
    unknown_code = _status(_portal(), "ABCDEFGH", make_phone(6)[-4:])
    marker = 'data-testid="join-not-found"'
    assert marker in wrong_digits
    assert marker in unknown_code
    assert city.employer.union.name not in wrong_digits
    # Byte for byte the same page, but for the code typed in and the CSRF token.
    same = wrong_digits.replace(application.lookup_code, "ABCDEFGH")
    assert _without_csrf(same) == _without_csrf(unknown_code)


def test_status_page_shows_the_reason_of_a_rejection(city, street_officer):
    application = _submit(city.employer, seq=8)
    join_application_reject(user=street_officer, application=application, reason="非本单位职工")
    body = _status(_portal(), application.lookup_code, make_phone(8)[-4:])
    assert 'data-status="rejected"' in body
    assert "非本单位职工" in body


def test_employer_lookup_returns_at_most_10_operating_employers(city):
    for n in range(12):
        EmployerFactory(name=f"朝阳测试{n:02d}有限公司", org=city.community)
    EmployerFactory(
        name="朝阳测试已注销公司", org=city.community, status=EmployerStatus.DEREGISTERED
    )
    response = _portal().get(reverse("members:portal_employers"), {"q": "朝阳测试"})
    body = response.content.decode()
    assert body.count('type="radio"') == 10
    assert "已注销" not in body


def test_employer_lookup_shows_name_and_credit_code_and_nothing_else(city):
    response = _portal().get(reverse("members:portal_employers"), {"q": city.employer.uscc[:10]})
    body = response.content.decode()
    assert city.employer.name in body
    assert city.employer.uscc in body
    assert city.employer.union.name not in body
    assert city.community.name not in body
    assert city.employer.union.code not in body


def test_employer_lookup_needs_two_characters(city):
    response = _portal().get(reverse("members:portal_employers"), {"q": "北"})
    assert 'type="radio"' not in response.content.decode()


def test_no_portal_response_contains_a_full_id_number_or_phone(city, street_officer):
    MemberFactory(org=city.community, id_number=make_id_number(21), phone=make_phone(21))
    client = _portal()
    bad_check = make_id_number(22)[:17] + ("1" if make_id_number(22)[17] != "1" else "2")
    responses = [
        client.get(reverse("members:portal_join")),
        _apply(client, _form(city.employer, seq=23)),  # accepted: the code page
        _apply(client, _form(city.employer, seq=23)),  # pending already
        _apply(client, _form(city.employer, seq=21)),  # already a member
        _apply(client, _form(city.sibling_employer, seq=24)),  # no union
        _apply(client, _form(city.employer, seq=22, id_number=bad_check)),
        _apply(client, _form(city.employer, seq=25, phone="1390000")),
        _apply(client, _form(city.employer, seq=26, employer="", q="无此单位")),
        client.get(reverse("members:portal_employers"), {"q": "北京"}),
    ]
    application = JoinApplication.objects.get()
    join_application_reject(user=street_officer, application=application, reason="请补充材料")
    responses += [
        client.post(
            reverse("members:portal_join_status"),
            {"code": application.lookup_code, "last4": make_phone(23)[-4:]},
        ),
        client.post(reverse("members:portal_join_status"), {"code": "ABCDEFGH", "last4": "1234"}),
        client.get(reverse("members:portal_join_status")),
    ]
    for response in responses:
        body = response.content.decode()
        assert response.status_code == 200
        assert not FULL_ID.search(body), FULL_ID.search(body)
        assert not FULL_PHONE.search(body), FULL_PHONE.search(body)


# --- deciding ------------------------------------------------------------------------------------


def test_approving_creates_exactly_one_member_in_the_applications_union(city, street_officer):
    application = _submit(city.employer, seq=11, name="李四")
    response = _staff(street_officer).post(
        reverse("members:application_approve", args=[application.pk]), follow=True
    )
    assert response.status_code == 200
    member = Member.objects.get()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    assert application.member == member
    assert application.decided_by == street_officer
    assert application.decided_at is not None
    assert (member.name, member.org, member.employer) == (
        "李四",
        city.employer.union,
        city.employer,
    )
    assert member.source == MemberSource.PORTAL
    assert pii.decrypt(member.id_number) == make_id_number(11)
    assert pii.decrypt(member.phone) == make_phone(11)


def test_approving_is_refused_when_the_id_became_a_member_meanwhile(city, street_officer):
    application = _submit(city.employer, seq=12)
    MemberFactory(org=city.community, id_number=make_id_number(12))
    with pytest.raises(ValidationError) as refused:
        join_application_approve(user=street_officer, application=application)
    assert refused.value.code == "already_member"
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PENDING
    assert Member.objects.count() == 1


def test_rejecting_needs_a_reason(city, street_officer):
    application = _submit(city.employer, seq=13)
    client = _staff(street_officer)
    url = reverse("members:application_reject", args=[application.pk])
    assert client.post(url, {"reason": " "}).status_code == 400
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PENDING
    client.post(url, {"reason": "不在本单位工作"})
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REJECTED
    assert application.reason == "不在本单位工作"
    assert application.decided_by == street_officer
    assert application.decided_at is not None


def test_an_application_can_be_decided_only_once(city, street_officer):
    application = _submit(city.employer, seq=14)
    client = _staff(street_officer)
    client.post(reverse("members:application_approve", args=[application.pk]))
    again = client.post(reverse("members:application_approve", args=[application.pk]), follow=True)
    client.post(reverse("members:application_reject", args=[application.pk]), {"reason": "重复"})
    assert "can be decided only once" in again.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    assert Member.objects.count() == 1
    with pytest.raises(ValidationError):
        join_application_reject(user=street_officer, application=application, reason="重复")


def test_deciding_needs_the_manage_members_capability(city):
    reader = user_create_or_update(
        username="reader", scope_org=city.street, role=Role.READONLY, password=PASSWORD
    )
    application = _submit(city.employer, seq=15)
    response = _staff(reader).post(reverse("members:application_approve", args=[application.pk]))
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        join_application_reject(user=reader, application=application, reason="无权")


def test_another_districts_officer_gets_404_for_the_application(city, other_district_officer):
    application = _submit(city.employer, seq=16)
    client = _staff(other_district_officer)
    assert client.get(reverse("members:application", args=[application.pk])).status_code == 404
    assert application.name not in client.get(reverse("members:applications")).content.decode()


def test_the_list_and_detail_show_masked_numbers_only(city, street_officer):
    application = _submit(city.employer, seq=17)
    client = _staff(street_officer)
    for url in (
        reverse("members:applications"),
        reverse("members:application", args=[application.pk]),
    ):
        body = client.get(url).content.decode()
        assert application.id_number_masked in body
        assert make_id_number(17) not in body
        assert make_phone(17) not in body


# --- the 3-working-day rule ----------------------------------------------------------------------


@pytest.fixture
def calendar(db):
    load_reference_calendar()


def test_an_application_is_overdue_after_3_working_days_across_spring_festival(city, calendar):
    # Fri 13 Feb 2026 → Sat 14 (worked), 15–23 off, Tue 24, Wed 25: three working days.
    application = _submit(city.employer, seq=31)
    _set_submitted(application, date(2026, 2, 13), hour=23)
    assert not join_application_overdue(application, today=date(2026, 2, 25))
    assert join_application_overdue(application, today=date(2026, 2, 26))


def test_the_overdue_filter_agrees_with_the_rule_across_a_weekend(city, calendar):
    friday, thursday = _submit(city.employer, seq=32), _submit(city.employer, seq=33)
    _set_submitted(friday, date(2026, 3, 6))  # Mon 9, Tue 10, Wed 11
    _set_submitted(thursday, date(2026, 3, 5))  # Fri 6, Mon 9, Tue 10, Wed 11: overdue
    today = date(2026, 3, 11)
    overdue = join_applications_overdue(JoinApplication.objects.all(), today=today)
    assert list(overdue) == [thursday]
    assert not join_application_overdue(friday, today=today)
    assert join_application_overdue(thursday, today=today)


def test_a_decided_application_is_never_overdue(city, calendar, street_officer):
    application = _submit(city.employer, seq=34)
    _set_submitted(application, date(2026, 3, 2))
    join_application_reject(user=street_officer, application=application, reason="不符合条件")
    assert not join_application_overdue(application, today=date(2026, 4, 1))
    assert not join_applications_overdue(JoinApplication.objects.all(), today=date(2026, 4, 1))


def test_the_list_marks_and_filters_overdue_applications(city, calendar, street_officer):
    old, new = _submit(city.employer, seq=35, name="老申请"), _submit(city.employer, seq=36)
    _set_submitted(old, timezone.localdate() - timedelta(days=30))
    client = _staff(street_officer)
    rows = client.get(reverse("members:applications")).context["rows"]
    assert {a.pk: overdue for a, overdue in rows} == {old.pk: True, new.pk: False}
    only = client.get(reverse("members:applications"), {"overdue": "on"})
    assert [a.pk for a, _overdue in only.context["rows"]] == [old.pk]
    assert 'data-testid="overdue"' in only.content.decode()


def test_the_list_filters_by_status(city, street_officer):
    pending, rejected = _submit(city.employer, seq=37), _submit(city.employer, seq=38)
    join_application_reject(user=street_officer, application=rejected, reason="不符合条件")
    response = _staff(street_officer).get(reverse("members:applications"), {"status": "pending"})
    assert [a.pk for a, _overdue in response.context["rows"]] == [pending.pk]


def test_the_database_refuses_a_second_pending_application_for_one_id(city):
    from django.db import IntegrityError, transaction

    first = _submit(city.employer)
    twin = JoinApplication.objects.get(pk=first.pk)
    twin.pk, twin.lookup_code = None, "ZZZZZZZZ"
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()
