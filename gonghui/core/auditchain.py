"""The audit log's hash chain: canonical form, hashing, appending in order, verifying.

Every entry carries `seq` (1, 2, 3, … without gaps), `prev_hash` (the `hash` of entry seq − 1;
GENESIS for the first entry ever) and `hash`, the SHA-256 of its canonical form below. Changing
a row breaks its own hash; removing one leaves a gap in `seq`; changing a row and recomputing
its hash breaks the link of the next one. Only the newest entries could be cut off unnoticed,
which is why `gonghui verify_audit` prints the head (seq and hash) for operators to record
outside the database.

Canonical form, version 1. NEVER change it: every stored hash depends on it.
    The UTF-8 bytes of the JSON array
        ["gonghui-audit-1", seq, at, actor_id, actor_name, action, target_type, target_id,
         reason, detail, address, prev_hash]
    written without whitespace (separators "," and ":"), object keys sorted, non-ASCII
    characters as themselves (not \\u escapes). `at` is the UTC time as
    "YYYY-MM-DDTHH:MM:SS.ffffff+00:00"; `actor_id` and `address` are null when absent;
    `detail` is the JSON object exactly as stored (read back from the database).

The pruning service removes the oldest entries (only older than the retention) and then
appends an AUDIT_PRUNE entry whose detail names the last pruned entry (`last_pruned_seq`,
`last_pruned_hash`): the verifier accepts a chain that starts after seq 1 only at such an
anchor, so pruned history does not look like tampering.
"""

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, NamedTuple

from django.db.backends.base.base import BaseDatabaseWrapper

FORMAT = "gonghui-audit-1"
GENESIS = "0" * 64
# The PostgreSQL advisory lock that serialises appends (any constant unique to this purpose).
CHAIN_LOCK = 0x6768_6175_6469_7431  # "ghaudit1"
# The transaction-local PostgreSQL setting the append-only trigger checks before a DELETE.
PRUNE_SETTING = "gonghui.audit_prune"

# The columns the chain covers, in the order `ChainRow` and the verifier read them.
CHAIN_FIELDS = (
    "id", "seq", "at", "actor_id", "actor_name", "action", "target_type", "target_id",
    "reason", "detail", "address", "prev_hash", "hash",
)  # fmt: skip


class AppendOnlyError(RuntimeError):
    """Raised by any attempt to change or remove an audit entry through the application."""


class ChainRow(NamedTuple):
    id: int
    seq: int
    at: datetime
    actor_id: int | None
    actor_name: str
    action: str
    target_type: str
    target_id: str
    reason: str
    detail: Any
    address: str | None
    prev_hash: str
    hash: str


def canonical_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def normalize_detail(detail: Any) -> Any:
    """`detail` as the database will give it back (JSON types only), so the hash computed
    before the insert equals the one the verifier computes from the stored row."""
    return json.loads(json.dumps(detail if detail is not None else {}))


def _utc(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def entry_hash(
    *,
    seq: int,
    at: datetime,
    actor_id: int | None,
    actor_name: str,
    action: str,
    target_type: str,
    target_id: str,
    reason: str,
    detail: Any,
    address: str | None,
    prev_hash: str,
) -> str:
    """The SHA-256 (hex) of an entry's canonical form (the module docstring)."""
    payload = [
        FORMAT, seq, _utc(at), actor_id, actor_name, action, target_type, target_id,
        reason, detail, address or None, prev_hash,
    ]  # fmt: skip
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()


def row_hash(row: ChainRow) -> str:
    fields = row._asdict()
    del fields["id"], fields["hash"]
    return entry_hash(**fields)


def lock_chain(connection: BaseDatabaseWrapper) -> None:
    """Make concurrent appends wait for each other until this transaction ends.

    PostgreSQL: a transaction-scoped advisory lock. SQLite needs none: its transactions are
    IMMEDIATE (gonghui.settings), so the write lock is held from BEGIN to COMMIT already.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("audit entries are appended inside a transaction")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])


_pruning: ContextVar[bool] = ContextVar("gonghui_audit_pruning", default=False)


def pruning_allowed() -> bool:
    return _pruning.get()


@contextmanager
def pruning(connection: BaseDatabaseWrapper) -> Iterator[None]:
    """Let the prune service delete entries: the queryset's guard and, on PostgreSQL, the
    trigger's (which still refuses anything younger than the legal minimum retention)."""
    if not connection.in_atomic_block:
        raise RuntimeError("pruning runs inside a transaction")
    token = _pruning.set(True)
    postgres = connection.vendor == "postgresql"
    try:
        if postgres:
            _set_prune_setting(connection, "on")
        yield
        if postgres:  # on an error the rollback ends the transaction-local setting anyway
            _set_prune_setting(connection, "off")
    finally:
        _pruning.reset(token)


def _set_prune_setting(connection: BaseDatabaseWrapper, value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, %s, true)", [PRUNE_SETTING, value])


# --- verification ---


class Problem(StrEnum):
    CHANGED = "changed"  # the row's content no longer matches its hash
    MISSING = "missing"  # entries before this one were removed (a gap in seq)
    RELINKED = "relinked"  # seq follows on, but prev_hash is not the previous entry's hash
    UNANCHORED = "unanchored"  # the chain starts after seq 1 without a recorded prune
    OUT_OF_ORDER = "out_of_order"  # seq does not increase with id


@dataclass(frozen=True)
class Break:
    """The first entry at which the chain does not hold."""

    id: int
    seq: int
    at: datetime
    problem: Problem
    expected_seq: int | None = None  # MISSING: the seq that should have come before
    previous_id: int | None = None  # RELINKED, MISSING: the entry before it in id order

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "seq": self.seq,
            "at": self.at.isoformat(),
            "problem": str(self.problem),
            "expected_seq": self.expected_seq,
            "previous_id": self.previous_id,
        }


@dataclass(frozen=True)
class Verification:
    entries: int
    first_seq: int | None
    last_seq: int | None
    head_hash: str | None
    pruned_before: int | None  # the chain starts after a prune at this seq
    broken: Break | None

    @property
    def intact(self) -> bool:
        return self.broken is None

    def as_dict(self) -> dict[str, Any]:
        return {
            "intact": self.intact,
            "entries": self.entries,
            "first_seq": self.first_seq,
            "last_seq": self.last_seq,
            "head_hash": self.head_hash,
            "pruned_before": self.pruned_before,
            "broken": self.broken.as_dict() if self.broken else None,
        }


def verify_chain(
    rows: Iterable[ChainRow],
    *,
    anchors: Mapping[int, str],
    progress: Callable[[int], None] | None = None,
) -> Verification:
    """Walk `rows` in id order (a stream: one row in memory at a time) and stop at the first
    break. `anchors` maps the seq of each last pruned entry to its hash (AUDIT_PRUNE details).
    """
    count, first_seq, pruned_before = 0, None, None
    previous: ChainRow | None = None
    for row in rows:
        broken = _check(row, previous, anchors)
        if broken is not None:
            return Verification(
                count, first_seq, previous.seq if previous else None, None, pruned_before, broken
            )
        if previous is None:
            first_seq = row.seq
            pruned_before = row.seq - 1 if row.seq > 1 else None
        previous = row
        count += 1
        if progress is not None and count % 10_000 == 0:
            progress(count)
    if progress is not None:
        progress(count)
    last = previous
    return Verification(
        count,
        first_seq,
        last.seq if last else None,
        last.hash if last else None,
        pruned_before,
        None,
    )


def _check(row: ChainRow, previous: ChainRow | None, anchors: Mapping[int, str]) -> Break | None:
    def broken(problem: Problem, **extra: Any) -> Break:
        return Break(row.id, row.seq, row.at, problem, **extra)

    if row_hash(row) != row.hash:
        return broken(Problem.CHANGED)
    if previous is None:
        if row.seq == 1:
            return None if row.prev_hash == GENESIS else broken(Problem.RELINKED)
        if anchors.get(row.seq - 1) == row.prev_hash:
            return None
        return broken(Problem.UNANCHORED, expected_seq=1)
    if row.seq <= previous.seq:
        return broken(Problem.OUT_OF_ORDER, previous_id=previous.id)
    if row.seq != previous.seq + 1:
        return broken(Problem.MISSING, expected_seq=previous.seq + 1, previous_id=previous.id)
    if row.prev_hash != previous.hash:
        return broken(Problem.RELINKED, previous_id=previous.id)
    return None
