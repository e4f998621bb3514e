"""Contacts and password resets: a reset goes only to an address its owner has proved."""

import re

import pytest
from django.core import mail
from django.test import Client, RequestFactory
from django.urls import reverse

from gonghui.accounts.models import User
from gonghui.accounts.services.contacts import user_contact_update
from gonghui.core.models import AuditAction, AuditEntry
from gonghui.testing import logged_in


def _link(message) -> str:
    return re.search(r"http://testserver(\S+)", message.body)[1]


@pytest.fixture
def ask_reset(mailing):
    def ask(email: str):
        with mailing():
            return Client().post(reverse("password_reset"), {"email": email})

    return ask


@pytest.fixture
def verified_officer(street_officer):
    street_officer.email = street_officer.verified_email = "wang@old.example.cn"
    street_officer.save()
    return street_officer


def test_a_reset_link_goes_to_a_verified_address(ask_reset, mailing, verified_officer):
    response = ask_reset("wang@old.example.cn")
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["wang@old.example.cn"]]
    assert "/accounts/reset/" in _link(mail.outbox[0])


def test_a_reset_link_never_goes_to_an_unverified_address(ask_reset, mailing, street_officer):
    street_officer.email = "wang@example.cn"
    street_officer.save()
    response = ask_reset("wang@example.cn")
    assert response.status_code == 302  # the page does not tell whether the address is known
    assert mail.outbox == []


def test_an_address_changed_by_an_administrator_gets_no_reset_mail_until_its_owner_verifies_it(
    ask_reset, mailing, verified_officer, system_admin
):
    with mailing():
        logged_in(system_admin).post(
            reverse("accounts:staff_edit", args=[verified_officer.pk]),
            {"scope_org_code": verified_officer.scope_org.code, "email": "wang@new.example.cn"},
        )
    verification = mail.outbox.pop()
    assert verification.to == ["wang@new.example.cn"]
    ask_reset("wang@new.example.cn")
    ask_reset("wang@old.example.cn")
    assert mail.outbox == []
    logged_in(verified_officer).get(_link(verification))
    ask_reset("wang@new.example.cn")
    assert [m.to for m in mail.outbox] == [["wang@new.example.cn"]]


def test_the_verification_link_works_only_in_the_owners_session(
    mailing, verified_officer, system_admin
):
    with mailing():
        user_contact_update(
            actor=system_admin,
            user=verified_officer,
            email="admin@mine.example.cn",
            request=RequestFactory().get("/"),
        )
    link = _link(mail.outbox.pop())
    logged_in(system_admin).get(link)
    verified_officer.refresh_from_db()
    assert not verified_officer.email_verified


def test_the_owner_changing_their_address_is_sent_a_link_and_must_open_it(
    mailing, verified_officer
):
    client = logged_in(verified_officer)
    with mailing():
        client.post(reverse("accounts:contacts"), {"email": "wang@typo.example.cn"})
    verified_officer.refresh_from_db()
    assert not verified_officer.email_verified
    client.get(_link(mail.outbox[0]))
    verified_officer.refresh_from_db()
    assert verified_officer.email_verified


def test_an_address_change_is_audited_with_both_addresses(verified_officer, system_admin):
    user_contact_update(actor=system_admin, user=verified_officer, email="wang@new.example.cn")
    entry = AuditEntry.objects.get(action=AuditAction.USER_CHANGE)
    assert entry.actor == system_admin
    assert entry.detail["changes"] == {"email": ["wang@old.example.cn", "wang@new.example.cn"]}


def test_the_phone_is_stored_encrypted_and_shown_masked(street_officer):
    client = logged_in(street_officer)
    client.post(reverse("accounts:contacts"), {"email": "", "phone": "138 0013 8000"})
    stored = User.objects.filter(pk=street_officer.pk).values_list("phone", flat=True).get()
    assert "13800138000" not in stored
    page = client.get(reverse("accounts:account")).content.decode()
    assert "138****8000" in page
    assert "13800138000" not in page


def test_the_phone_is_verified_with_the_code_sent_to_the_verified_address(
    mailing, verified_officer
):
    client = logged_in(verified_officer)
    client.post(
        reverse("accounts:contacts"), {"email": "wang@old.example.cn", "phone": "13800138000"}
    )
    with mailing():
        client.post(reverse("accounts:phone_send"))
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body)[1]
    assert mail.outbox[-1].to == ["wang@old.example.cn"]
    client.post(reverse("accounts:phone_verify"), {"code": code})
    verified_officer.refresh_from_db()
    assert verified_officer.phone_verified


def test_a_wrong_phone_code_verifies_nothing(verified_officer):
    client = logged_in(verified_officer)
    client.post(
        reverse("accounts:contacts"), {"email": "wang@old.example.cn", "phone": "13800138000"}
    )
    client.post(reverse("accounts:phone_send"))
    client.post(reverse("accounts:phone_verify"), {"code": "000000x"})
    verified_officer.refresh_from_db()
    assert not verified_officer.phone_verified


def test_no_phone_code_is_sent_without_a_verified_address(mailing, street_officer):
    client = logged_in(street_officer)
    client.post(reverse("accounts:contacts"), {"email": "", "phone": "13800138000"})
    client.cookies["django_language"] = "en"
    with mailing():
        response = client.post(reverse("accounts:phone_send"), follow=True)
    assert mail.outbox == []
    assert "Verify your e-mail address first" in response.content.decode()


def test_a_phone_changed_by_an_administrator_is_unverified(verified_officer, system_admin):
    verified_officer.verified_phone_index = verified_officer.phone_index = "x"
    user_contact_update(actor=system_admin, user=verified_officer, phone="13900139000")
    verified_officer.refresh_from_db()
    assert not verified_officer.phone_verified
    assert verified_officer.phone_masked == "139****9000"


def test_the_reset_link_sets_a_new_password_once_and_is_audited(
    ask_reset, mailing, verified_officer, log_in
):
    ask_reset("wang@old.example.cn")
    link = _link(mail.outbox[0])
    client = Client()
    form_url = client.get(link)["Location"]
    new = "Lotus-Pond-57"
    done = client.post(form_url, {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    _client, response = log_in("street_officer", new)
    assert response.status_code == 302
    assert AuditEntry.objects.filter(detail__event="password_reset").exists()
    assert Client().get(link).status_code == 200  # the link no longer leads to the form
    assert (
        "not valid any more"
        in Client().get(link, HTTP_COOKIE="django_language=en").content.decode()
    )


def test_asking_twice_in_five_minutes_sends_one_link(ask_reset, mailing, verified_officer):
    ask_reset("wang@old.example.cn")
    ask_reset("wang@old.example.cn")
    assert len(mail.outbox) == 1
