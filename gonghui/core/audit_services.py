"""Writes around the audit log besides appending: the auditor's export and pruning.

Pruning is the one way entries leave the log: only the oldest ones, only past the online
retention (settings.AUDIT_RETENTION_DAYS, never under MIN_RETENTION_DAYS), in one transaction
that ends with an AUDIT_PRUNE entry naming the last removed entry, so the verifier can tell
pruned history from tampering.
"""

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connections, router, transaction
from django.db.models import Max, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability, require
from gonghui.core import auditchain
from gonghui.core.audit import audit_record
from gonghui.core.audit_selectors import AuditFilter, audit_entry_list
from gonghui.core.models import AuditAction, AuditEntry

# Online retention required of the log (MLPS level 3: at least six months); settings may ask
# for more, never less. The PostgreSQL trigger enforces the same floor (core migration 0008).
MIN_RETENTION_DAYS = 184
PRUNE_BATCH = 10_000
# Spreadsheet programs run a CSV cell that starts like a formula; reasons and failed login
# names are typed by people, so such cells are exported with a leading apostrophe.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

EXPORT_FIELDS = (
    "seq", "at", "actor_name", "action", "target_type", "target_id", "reason", "detail",
    "address", "prev_hash", "hash",
)  # fmt: skip


def _export_header() -> list[str]:
    return [
        _("Number"), _("Time"), _("Actor"), _("Action"), _("Object type"), _("Object id"),
        _("Reason"), _("Detail"), _("Address"), _("Previous hash"), _("Hash"),
    ]  # fmt: skip


def _cell(value: Any, *, neutralize: bool) -> str:
    text = value if isinstance(value, str) else "" if value is None else str(value)
    return "'" + text if neutralize and text.startswith(_FORMULA_START) else text


def _export_rows(entries: QuerySet[AuditEntry], *, neutralize: bool) -> Iterator[list[str]]:
    yield _export_header()
    actions = dict(AuditAction.choices)
    for seq, at, actor, action, *rest in entries.values_list(*EXPORT_FIELDS).iterator(2000):
        target_type, target_id, reason, detail, address, prev_hash, hash_ = rest
        yield [
            _cell(value, neutralize=neutralize)
            for value in (
                seq, timezone.localtime(at).strftime("%Y-%m-%d %H:%M:%S"), actor,
                actions.get(action, action), target_type, target_id, reason,
                json.dumps(detail, ensure_ascii=False, sort_keys=True), address,
                prev_hash, hash_,
            )
        ]  # fmt: skip


def audit_export_rows(
    *, user: Any, filters: AuditFilter, fmt: str, request: HttpRequest | None = None
) -> Iterator[list[str]]:
    """Rows of an export of the entries the auditor sees (header first); the export itself is
    recorded (AUDIT_EXPORT) and does not include its own entry."""
    require(user, Capability.VIEW_AUDIT, _("Only auditors may export the audit log."))
    entries = audit_entry_list(user=user, filters=filters)
    newest = entries.aggregate(newest=Max("id"))["newest"]
    entries = entries.filter(id__lte=newest) if newest is not None else entries.none()
    audit_record(
        actor=user,
        action=AuditAction.AUDIT_EXPORT,
        target_type=AuditEntry._meta.label_lower,
        detail={"format": fmt, "rows": entries.count(), "filters": filters.as_dict()},
        request=request,
    )
    return _export_rows(entries, neutralize=fmt == "csv")


class RetentionError(ValueError):
    """A prune cut-off inside the online retention period."""


@dataclass(frozen=True)
class PruneResult:
    deleted: int
    last_pruned_seq: int | None = None
    entry: AuditEntry | None = None  # the AUDIT_PRUNE entry


def audit_retention_days() -> int:
    return max(settings.AUDIT_RETENTION_DAYS, MIN_RETENTION_DAYS)


def audit_retention_limit(*, now: datetime | None = None) -> datetime:
    """Entries from this moment on must stay online."""
    return (now or timezone.now()) - timedelta(days=audit_retention_days())


def audit_prune(
    *,
    before: datetime,
    actor: Any = None,
    detail: dict[str, Any] | None = None,
    batch_size: int = PRUNE_BATCH,
    progress: Callable[[int], None] | None = None,
) -> PruneResult:
    """Delete the oldest entries, those written before `before`, in batches, and record it.

    Only a prefix of the chain goes: up to the first entry at or after `before`, so an entry
    newer than the cut-off never leaves, even if clocks made times run backwards. All in one
    transaction: the log never starts without the anchor that explains it.
    """
    limit = audit_retention_limit()
    if before > limit:
        raise RetentionError(
            _(
                "The audit log keeps %(days)d days online: the cut-off %(before)s is newer than "
                "%(limit)s. Choose %(limit)s or earlier."
            )
            % {
                "days": audit_retention_days(),
                "before": timezone.localtime(before).strftime("%Y-%m-%d %H:%M"),
                "limit": timezone.localtime(limit).strftime("%Y-%m-%d %H:%M"),
            }
        )
    using = router.db_for_write(AuditEntry)
    with transaction.atomic(using=using):
        entries = AuditEntry.objects.using(using)
        first_kept = (
            entries.filter(at__gte=before).order_by("id").values_list("id", flat=True).first()
        )
        doomed = entries.all() if first_kept is None else entries.filter(id__lt=first_kept)
        last = doomed.order_by("-id").values_list("id", "seq", "hash", "at").first()
        if last is None:
            return PruneResult(deleted=0)
        last_id, last_seq, last_hash, last_at = last
        deleted = 0
        with auditchain.pruning(connections[using]):
            while deleted_now := _delete_batch(doomed, batch_size):
                deleted += deleted_now
                if progress is not None:
                    progress(deleted)
        entry = audit_record(
            actor=actor,
            action=AuditAction.AUDIT_PRUNE,
            target_type=AuditEntry._meta.label_lower,
            reason=_("Entries written before %(before)s removed after the retention period.")
            % {"before": timezone.localtime(before).strftime("%Y-%m-%d %H:%M")},
            detail={
                **(detail or {}),
                "before": before.isoformat(),
                "deleted": deleted,
                "last_pruned_id": last_id,
                "last_pruned_seq": last_seq,
                "last_pruned_hash": last_hash,
                "last_pruned_at": last_at.isoformat(),
            },
        )
    return PruneResult(deleted=deleted, last_pruned_seq=last_seq, entry=entry)


def _delete_batch(doomed: QuerySet[AuditEntry], size: int) -> int:
    """Delete the oldest `size` of `doomed` (by id range: one statement, no id list)."""
    ids = doomed.order_by("id").values_list("id", flat=True)
    bound = next(iter(ids[size - 1 : size]), None) or ids.order_by("-id").first()
    if bound is None:
        return 0
    deleted, _per_model = doomed.filter(id__lte=bound).delete()
    return deleted
