"""Audit entries never keep a full resident ID number or mobile number, whoever typed it."""

import pytest

from gonghui.core.audit import audit_record
from gonghui.core.audit_selectors import audit_chain_verify
from gonghui.core.models import AuditAction, AuditEntry
from gonghui.core.redaction import redact_text


def test_numbers_typed_into_a_reason_are_masked(db):
    audit_record(
        actor=None,
        action=AuditAction.REVEAL,
        reason="会员110105199001011234要求核对，回电13812345678",
    )
    entry = AuditEntry.objects.get()
    assert entry.reason == "会员110105********1234要求核对，回电138****5678"
    assert audit_chain_verify().intact


def test_numbers_inside_the_detail_are_masked(db):
    audit_record(
        actor=None,
        action=AuditAction.IMPORT,
        detail={"note": "id 11010519900101123X", "rows": [{"phone": "+86 139 1234 5678"}]},
    )
    detail = AuditEntry.objects.get().detail
    assert detail == {"note": "id 110105********123X", "rows": [{"phone": "139****5678"}]}


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("旧证号110105900101123", "旧证号***********1123"),
        ("call 138-1234-5678 today", "call 138****5678 today"),
        ("8613812345678", "138****5678"),
    ],
)
def test_other_spellings_are_masked(text, masked):
    assert redact_text(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "card 8110000000012345",  # a 16-digit member card number
        "uscc 91110105MA01ABCD2X",
        "hash 5d41402abc4b2a76b9719d911017c59213812345678ab0d7f1e3c9a2b4c6d8e0",
        "rows 12345",
    ],
)
def test_numbers_that_are_not_personal_data_are_kept(text):
    assert redact_text(text) == text


@pytest.mark.django_db
def test_the_audit_log_records_the_client_behind_a_trusted_proxy(settings, rf):
    settings.TRUSTED_PROXIES = 1
    request = rf.get("/", HTTP_X_FORWARDED_FOR="203.0.113.7", REMOTE_ADDR="10.0.0.2")
    entry = audit_record(actor=None, action=AuditAction.EXPORT, request=request)
    assert entry.address == "203.0.113.7"
