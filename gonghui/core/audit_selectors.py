"""Reads of the audit log: the auditor's scoped list, one entry, and chain verification."""

from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from gonghui.accounts.capabilities import Capability, can
from gonghui.core.auditchain import (
    CHAIN_FIELDS,
    GENESIS,
    ChainRow,
    Verification,
    row_hash,
    verify_chain,
)
from gonghui.core.models import AuditAction, AuditEntry
from gonghui.core.scoping import scoped


@dataclass(frozen=True)
class AuditFilter:
    date_from: date | None = None
    date_to: date | None = None
    actor: str = ""
    action: str = ""
    target_type: str = ""
    target_id: str = ""
    text: str = ""  # a substring of the reason

    def as_dict(self) -> dict[str, str]:
        """The filters that are set, as text (recorded with an export)."""
        return {k: str(v) for k, v in asdict(self).items() if v}


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_entry_list(*, user: Any, filters: AuditFilter | None = None) -> QuerySet[AuditEntry]:
    """The entries an auditor may read, newest first: those of actors in the auditor's subtree,
    plus, for an auditor of the root federation, those without one (system, CLI, unknown
    login names). Nothing for anyone without VIEW_AUDIT.

    Every filter but `text` is served by an index; `text` (a substring of the reason) scans
    whatever the other filters leave, so the page asks for a time range with it.
    """
    if not can(user, Capability.VIEW_AUDIT):
        return AuditEntry.objects.none()
    qs = scoped(AuditEntry.objects.all(), user=user)
    if user.scope_org is not None and user.scope_org.is_root():
        qs = qs | AuditEntry.objects.filter(
            Q(actor__isnull=True) | Q(actor__scope_org__isnull=True)
        )
    f = filters or AuditFilter()
    if f.date_from:
        qs = qs.filter(at__gte=_start_of(f.date_from))
    if f.date_to:
        qs = qs.filter(at__lt=_start_of(f.date_to + timedelta(days=1)))
    if f.actor:
        qs = qs.filter(actor_name=f.actor.strip())
    if f.action:
        qs = qs.filter(action=f.action)
    if f.target_type:
        qs = qs.filter(target_type=f.target_type.strip())
    if f.target_id:
        qs = qs.filter(target_id=f.target_id.strip())
    if f.text:
        qs = qs.filter(reason__icontains=f.text.strip())
    return qs.order_by("-id")


def audit_entry_get(*, user: Any, pk: int) -> AuditEntry | None:
    return audit_entry_list(user=user).select_related("actor").filter(pk=pk).first()


def _prune_anchors() -> dict[int, str]:
    """seq → hash of the last entry each recorded prune removed (the chain may start after)."""
    anchors: dict[int, str] = {}
    details = AuditEntry.objects.filter(action=AuditAction.AUDIT_PRUNE).values_list(
        "detail", flat=True
    )
    for detail in details.iterator():
        if isinstance(detail, dict):
            seq, hash_ = detail.get("last_pruned_seq"), detail.get("last_pruned_hash")
            if isinstance(seq, int) and isinstance(hash_, str):
                anchors[seq] = hash_
    return anchors


def _chain_rows() -> Iterator[ChainRow]:
    rows = AuditEntry.objects.order_by("id").values_list(*CHAIN_FIELDS)
    for values in rows.iterator(chunk_size=5000):
        yield ChainRow(*values)


def audit_chain_verify(*, progress: Callable[[int], None] | None = None) -> Verification:
    """Walk the whole chain in id order, streaming (constant memory over millions of rows)."""
    return verify_chain(_chain_rows(), anchors=_prune_anchors(), progress=progress)


@dataclass(frozen=True)
class EntryIntegrity:
    content_intact: bool  # the stored hash matches the entry's content
    linked: bool  # it follows the entry before it (or starts the chain, or a recorded prune)


def audit_entry_integrity(*, entry: AuditEntry) -> EntryIntegrity:
    """The chain checks of one entry, for the viewer (the whole chain: `gonghui verify_audit`).

    It reads the seq and hash of the entry before, which may be outside the auditor's scope:
    only whether they match is shown.
    """
    row = ChainRow(*(getattr(entry, name) for name in CHAIN_FIELDS))
    previous = (
        AuditEntry.objects.filter(id__lt=entry.id)
        .order_by("-id")
        .values_list("seq", "hash")
        .first()
    )
    if previous is not None:
        linked = previous == (entry.seq - 1, entry.prev_hash)
    elif entry.seq == 1:
        linked = entry.prev_hash == GENESIS
    else:
        linked = _prune_anchors().get(entry.seq - 1) == entry.prev_hash
    return EntryIntegrity(content_intact=row_hash(row) == entry.hash, linked=linked)
