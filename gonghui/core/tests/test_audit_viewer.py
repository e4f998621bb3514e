"""The auditor's viewer: only auditors get in, each sees their subtree, exports are audited."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from python_calamine import CalamineWorkbook

from gonghui.accounts.models import Role
from gonghui.accounts.services import user_create_or_update
from gonghui.core.audit import audit_record
from gonghui.core.models import AuditAction, AuditEntry
from gonghui.core.tests.auditing import tamper, write_old_entry
from gonghui.testing import PASSWORD, logged_in


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _staff(username, org, role):
    return user_create_or_update(username=username, scope_org=org, role=role, password=PASSWORD)


@pytest.fixture
def district_auditor(city):
    return _staff("district_auditor", city.district, Role.AUDITOR)


@pytest.fixture
def city_auditor(city):
    return _staff("city_auditor", city.city, Role.AUDITOR)


@pytest.fixture
def entries(district_officer, other_district_officer):
    """One entry by an officer of 东城区, one by an officer of 西城区, one by the system."""
    return {
        "own": audit_record(
            actor=district_officer, action=AuditAction.REVEAL, reason="own-district-reveal"
        ),
        "foreign": audit_record(
            actor=other_district_officer, action=AuditAction.EXPORT, reason="foreign-export"
        ),
        "system": audit_record(actor=None, action=AuditAction.BACKUP, reason="system-backup"),
    }


def _page(user, **params):
    response = logged_in(user).get(reverse("audit:list"), params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    "role",
    [
        Role.FEDERATION_ADMIN,
        Role.OFFICER,
        Role.APPEAL_HANDLER,
        Role.LAWYER,
        Role.SYSTEM_ADMIN,
        Role.SECURITY_ADMIN,
        Role.READONLY,
    ],
)
def test_every_role_but_the_auditor_finds_no_audit_pages(city, entries, role):
    client = logged_in(_staff(f"user_{role}", city.city, role))
    for url in (
        reverse("audit:list"),
        reverse("audit:export"),
        reverse("audit:detail", kwargs={"pk": entries["own"].pk}),
    ):
        assert client.get(url).status_code == 404
    assert not AuditEntry.objects.filter(action=AuditAction.AUDIT_EXPORT).exists()


def test_an_auditor_sees_the_entries_of_their_subtree_only(district_auditor, entries):
    body = _page(district_auditor)
    assert "own-district-reveal" in body
    assert "foreign-export" not in body
    assert "system-backup" not in body


def test_an_auditor_of_the_root_also_sees_system_entries(city_auditor, entries):
    body = _page(city_auditor)
    for reason in ("own-district-reveal", "foreign-export", "system-backup"):
        assert reason in body


def test_an_entry_outside_the_subtree_answers_404(district_auditor, entries):
    client = logged_in(district_auditor)
    url = reverse("audit:detail", kwargs={"pk": entries["foreign"].pk})
    assert client.get(url).status_code == 404


def test_the_list_filters_by_action_actor_object_and_reason(city_auditor, entries, street_officer):
    audit_record(
        actor=street_officer,
        action=AuditAction.REVEAL,
        target_type="members.member",
        target_id="42",
        reason="called back about arrears",
    )
    assert "foreign-export" not in _page(city_auditor, action="reveal")
    assert "own-district-reveal" in _page(city_auditor, action="reveal")
    only_street = _page(city_auditor, actor="street_officer")
    assert "arrears" in only_street
    assert "own-district-reveal" not in only_street
    by_object = _page(city_auditor, target_type="members.member", target_id="42")
    assert "arrears" in by_object
    assert "system-backup" not in by_object
    by_text = _page(city_auditor, text="ARREARS")
    assert "arrears" in by_text
    assert "own-district-reveal" not in by_text


def test_the_list_filters_by_time_range(city_auditor, entries):
    write_old_entry(10, reason="ten-days-ago")
    today = timezone.localdate()
    recent = _page(city_auditor, date_from=(today - timedelta(days=1)).isoformat())
    assert "ten-days-ago" not in recent
    assert "system-backup" in recent
    older = _page(city_auditor, date_to=(today - timedelta(days=5)).isoformat())
    assert "ten-days-ago" in older
    assert "system-backup" not in older


def test_the_detail_shows_the_hashes_and_an_intact_chain(city_auditor, entries):
    entry = entries["foreign"]
    response = logged_in(city_auditor).get(reverse("audit:detail", kwargs={"pk": entry.pk}))
    body = response.content.decode()
    assert entry.hash in body
    assert entry.prev_hash in body
    assert "Chain intact" in body


def test_the_detail_shows_a_changed_entry_as_broken(city_auditor, entries):
    entry = entries["foreign"]
    tamper("UPDATE core_auditentry SET reason = 'rewritten' WHERE id = %s", [entry.pk])
    response = logged_in(city_auditor).get(reverse("audit:detail", kwargs={"pk": entry.pk}))
    assert "Chain broken" in response.content.decode()


def test_the_xlsx_export_holds_the_filtered_entries_and_is_audited(district_auditor, entries):
    client = logged_in(district_auditor)  # logging in is audited too: filter on reveals
    response = client.get(reverse("audit:export"), {"format": "xlsx", "action": "reveal"})
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    assert rows[0][:4] == ["Number", "Time", "Actor", "Action"]
    assert [row[6] for row in rows[1:]] == ["own-district-reveal"]
    export = AuditEntry.objects.get(action=AuditAction.AUDIT_EXPORT)
    assert export.actor == district_auditor
    assert export.detail == {"format": "xlsx", "rows": 1, "filters": {"action": "reveal"}}


def test_the_csv_export_neutralises_formulas(city_auditor):
    audit_record(actor=None, action=AuditAction.LOGIN_FAILED, reason='=HYPERLINK("http://x")')
    response = logged_in(city_auditor).get(
        reverse("audit:export"), {"format": "csv", "action": "login_failed"}
    )
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][6] == '\'=HYPERLINK("http://x")'
    export = AuditEntry.objects.get(action=AuditAction.AUDIT_EXPORT)
    assert export.detail["filters"] == {"action": "login_failed"}


def test_the_audit_log_is_in_the_menu_of_auditors_only(district_auditor, district_officer):
    home = reverse("orgs:tree")
    assert reverse("audit:list") in logged_in(district_auditor).get(home).content.decode()
    assert reverse("audit:list") not in logged_in(district_officer).get(home).content.decode()


def test_an_invalid_filter_is_shown_and_the_others_still_apply(city_auditor, entries):
    body = _page(city_auditor, date_from="yesterday", action="backup")
    assert "Enter a valid date." in body
    assert "system-backup" in body
    assert "foreign-export" not in body
