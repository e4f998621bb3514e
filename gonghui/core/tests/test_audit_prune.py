"""Pruning removes only entries past the online retention, and leaves a verifiable chain."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.utils import timezone, translation

from gonghui.core.audit_selectors import audit_chain_verify
from gonghui.core.models import AuditAction, AuditEntry
from gonghui.core.tests.auditing import write_entries, write_old_entry


def prune(*args: str) -> str:
    out = StringIO()
    with translation.override("en"):
        call_command("prune_audit", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_a_cut_off_inside_the_retention_is_refused(db):
    write_old_entry(100)
    with pytest.raises(CommandError, match="keeps 184 days online"):
        prune("--older-than", "183")
    assert AuditEntry.objects.count() == 1


def test_a_cut_off_date_inside_the_retention_is_refused(db):
    recent = timezone.localdate() - timedelta(days=100)
    with pytest.raises(CommandError, match=r"Choose .* or earlier"):
        prune("--before", recent.isoformat())


@override_settings(AUDIT_RETENTION_DAYS=365)
def test_a_longer_retention_from_settings_is_respected(db):
    write_old_entry(300)
    with pytest.raises(CommandError, match="keeps 365 days online"):
        prune("--older-than", "200")
    assert AuditEntry.objects.count() == 1


@override_settings(AUDIT_RETENTION_DAYS=30)
def test_a_retention_below_the_legal_minimum_is_not_honoured(db):
    with pytest.raises(CommandError, match="keeps 184 days online"):
        prune("--older-than", "60")


def test_old_entries_are_removed_and_the_chain_still_verifies(db):
    old = [write_old_entry(300, reason=f"old {n}") for n in range(3)]
    recent = write_entries(2)
    output = prune("--older-than", "200", "--batch-size", "2")
    assert "Removed 3 audit entries, up to number 3" in output
    assert not AuditEntry.objects.filter(pk__in=[e.pk for e in old]).exists()
    assert AuditEntry.objects.filter(pk__in=[e.pk for e in recent]).count() == 2
    result = audit_chain_verify()
    assert result.intact
    assert (result.first_seq, result.pruned_before) == (4, 3)


def test_the_pruning_is_recorded_with_its_anchor(db):
    old = write_old_entry(300)
    write_entries(1)
    prune("--older-than", "200")
    entry = AuditEntry.objects.get(action=AuditAction.AUDIT_PRUNE)
    assert entry.detail["deleted"] == 1
    assert entry.detail["last_pruned_seq"] == old.seq
    assert entry.detail["last_pruned_hash"] == old.hash
    assert entry.detail["os_user"]


def test_an_entry_newer_than_the_cut_off_never_goes_even_behind_older_ones(db):
    first = write_old_entry(300)
    write_entries(1)
    stays = write_old_entry(300)  # an old time after a recent one: clocks went wrong
    prune("--older-than", "200")
    assert not AuditEntry.objects.filter(pk=first.pk).exists()
    assert AuditEntry.objects.filter(pk=stays.pk).exists()
    assert audit_chain_verify().intact


def test_pruning_twice_still_verifies(db):
    write_old_entry(400)
    write_old_entry(300)
    write_entries(1)
    prune("--older-than", "350")
    prune("--older-than", "200")
    assert AuditEntry.objects.filter(action=AuditAction.AUDIT_PRUNE).count() == 2
    assert audit_chain_verify().intact


def test_nothing_to_prune_writes_nothing(db):
    write_entries(2)
    assert "nothing removed" in prune("--older-than", "200")
    assert AuditEntry.objects.count() == 2
