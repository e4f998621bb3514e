"""The set-based write of the member import.

Three ways in, all fed with the rows `importing.ChunkValidator` formatted:

- Staged (every import but the two below), in two passes over the file. The first validates every
  row into a probe — its blind indexes, name, employer, union and join date — and appends it to the
  TEMP table `member_import_probe` (PostgreSQL `COPY`, SQLite a batched `executemany`). One query
  (`classify`) then compares the whole file with the registry and with itself: repeated ID numbers,
  transfer candidates, new members and changed ones; the rest would change nothing and is only
  counted. (When the importing process saw no two probes' keys alike, `RepeatCheck`, the comparison
  does not group the file by ID number.) The second pass formats only the new and changed rows as
  members (encryption, pinyin), puts each chunk of them into the TEMP table `member_import_stage`,
  and the same SQL on both databases inserts the new members and updates the changed ones; each
  chunk commits on its own. An unchanged file is read, validated and indexed once and writes
  nothing. Temporary tables vanish with the connection, so a killed import leaves nothing behind. A
  large import on PostgreSQL splits its probes in two halves by the first hex digit of the ID
  number's blind index (importing.HALF): the high half goes to a connection of its own, and the two
  halves are compared at once, one per core. A repeated ID number has one blind index, so its rows
  meet in one half.
- One pass (SQLite, a large file that would more than double the registry): one transaction
  from the first row, with the registry's secondary indexes dropped (`indexes_off`) and built
  again at the end (`indexes_on`). Each chunk's accepted rows go straight into the registry as
  new members (`direct_insert`: id = `direct_base` + row number; a registered ID number is left
  out); the rows left out are told apart by their member's id (`member_ids`): above the base, an
  earlier row of the file made it (a repeat); else a member registered before, whose rows go
  through the stage and the same comparison and merge as a staged import's.
- Bulk load (PostgreSQL, a large file into an empty registry): one transaction that drops the
  registry's secondary indexes, unique and foreign-key constraints, `COPY`s every chunk straight
  into the registry with the row number as part of the member id, removes repeated ID numbers
  with one query at the end and builds the indexes and constraints again. A sorted index build
  and one validating join beat a million index insertions and trigger calls; a killed load rolls
  back whole (DDL is transactional on PostgreSQL).
"""

import heapq
import json
import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.db import (
    DEFAULT_DB_ALIAS,
    DataError,
    IntegrityError,
    connection,
    connections,
    transaction,
)
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

from gonghui.core import pgcopy, pii
from gonghui.members.importing import HALF, PROBE_COLUMNS, STAGE_COLUMNS
from gonghui.members.models import Member

STAGE = "member_import_stage"
PROBE = "member_import_probe"
_TYPES = {"key": "bigint", "birth_date": "date", "joined_on": "date", "employer_id": "bigint",
          "org_id": "bigint"}  # fmt: skip
# Member columns, in staging order; the bulk load writes the key into the id.
_MEMBER_COLUMNS = ", ".join(("id", *STAGE_COLUMNS[1:]))
SQLITE_CACHE_KIB = 65536  # the page cache of the importing connection, 64 MB
# The stage's member rows seen as probes (classify of a one-pass import); `masked` is the
# encrypted ID number there (the registry keeps no mask), masked by `classify` for the repeats
# and transfer candidates it reports — the only verdicts whose mask is shown.
_STAGE_AS_PROBE = (
    f"(SELECT key, id_number_index AS idx, name, phone_index, employer_id, org_id, joined_on, "
    f"id_number AS masked FROM {STAGE})"
)
_PROBE_LIST = ", ".join(PROBE_COLUMNS)
_TEMP_BUFFERS = "SET temp_buffers = '256MB'"
_CLASSIFY_MEMORY = "128MB"
# The comparison's plan would be compiled (JIT) for ~0.1 s it never wins back: a hash join and
# a few comparisons a row.
_NO_JIT = "jit = off"
# What `classify` says of a row that is not unchanged.
REPEAT, NEW, TRANSFER, CHANGE = "r", "n", "t", "c"


_LOCAL_HOSTS = frozenset({"", "localhost", "127.0.0.1", "::1"})


def index_build_workers(host: str, cores: int) -> int | None:
    """At most how many parallel workers each index build of a bulk load should start beside
    its leader, when the database runs on this machine (`host` local or a socket directory):
    one process per core in all. More only take turns on the cores (on two cores, PostgreSQL's
    default of two workers builds the registry's indexes ~0.3 s slower than one). None: the
    database runs elsewhere, on cores we cannot count, and keeps its own setting."""
    if host not in _LOCAL_HOSTS and not host.startswith("/"):
        return None
    return max(cores - 1, 0)


def _reported_mask(token: str, verdict: str) -> str:
    return pii.mask_encrypted_id_number(token) if verdict in (REPEAT, TRANSFER) else ""


class RepeatCheck:
    """Whether a staged import's probes may repeat an ID number from one chunk to another (a
    chunk's own repeats never become probes: the validator refuses them). Fed each chunk's
    ChunkResult.keys — the first 8 bytes of every probe's blind index — it says no (`possible`
    False) only when every key differs, so that `classify` can skip grouping the whole file by
    ID number, about half of its work when nothing repeats. A repeated or merely colliding
    key, or more than LIMIT keys (~75 MB of them), makes it say yes for good."""

    LIMIT = 1_250_000  # keys a set holds in a table of 2^21 slots (resized at 60 % full)

    def __init__(self) -> None:
        self._seen: set[int] | None = set()

    @property
    def possible(self) -> bool:
        return self._seen is None

    def add(self, keys: bytes) -> None:
        seen = self._seen
        if seen is None:
            return
        chunk = memoryview(keys).cast("Q")
        size = len(seen)
        if size + len(chunk) > self.LIMIT:
            self._seen = None  # and the memory goes
            return
        seen.update(chunk)  # one pass; fewer new keys than the chunk's: one repeats
        if len(seen) - size < len(chunk):
            self._seen = None


class Staging:
    def __init__(self) -> None:
        self.postgres = connection.vendor == "postgresql"
        self.members = Member._meta.db_table
        self.distinct = "IS DISTINCT FROM" if self.postgres else "IS NOT"
        # The connection of the high half's probes (see `create`), else None.
        self.partner: BaseDatabaseWrapper | None = None

    def _exec(self, sql: str, params: Iterable[Any] = (), db: Any = connection) -> int:
        with db.cursor() as cursor:
            cursor.execute(sql, list(params))
            count: int = cursor.rowcount
            return count

    def _rows(
        self, sql: str, params: Iterable[Any] = (), db: Any = connection
    ) -> list[tuple[Any, ...]]:
        with db.cursor() as cursor:
            cursor.execute(sql, list(params))
            rows: list[tuple[Any, ...]] = cursor.fetchall()
            return rows

    def _copy(self, table: str, columns: str, rows: bytes, db: Any = connection) -> None:
        """Rows in binary COPY format (gonghui.core.pgcopy) into a table."""
        with (
            db.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT binary)") as copy,
        ):
            copy.write(pgcopy.HEADER)
            copy.write(rows)
            copy.write(pgcopy.TRAILER)

    def _append(
        self,
        table: str,
        columns: tuple[str, ...],
        copy: bytes,
        rows: list[tuple[Any, ...]] | None,
    ) -> None:
        """Rows into a TEMP table: binary COPY rows on PostgreSQL, tuples on SQLite."""
        if self.postgres:
            if copy:
                self._copy(table, ", ".join(columns), copy)
        elif rows:
            marks = ", ".join(["%s"] * len(columns))
            with connection.cursor() as cursor:
                cursor.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)

    # --- staged import ---

    def create(self, *, halves: bool = False) -> None:
        """The TEMP tables; with `halves` (PostgreSQL, outside a transaction: the partner
        connection sees only what is committed) the high half's probe table on a connection of
        its own."""
        if self.postgres:
            # A million probes make a TEMP table of ~150 MB, which the default 8 MB of local
            # buffers would page through on every pass. Only a session that has not used
            # temporary tables yet may change it (the import's fresh connection usually).
            try:
                with transaction.atomic():
                    self._exec(_TEMP_BUFFERS)
            except DataError:
                pass
        if halves:
            self.partner = connections.create_connection(DEFAULT_DB_ALIAS)
            self.partner.inc_thread_sharing()  # its comparison runs in a thread (classify)
            self._exec(_TEMP_BUFFERS, db=self.partner)
            self._exec(f"SET work_mem = '{_CLASSIFY_MEMORY}'", db=self.partner)
            self._exec(f"SET {_NO_JIT}", db=self.partner)
            self._create(PROBE, PROBE_COLUMNS, db=self.partner)
        self.drop()
        if not self.postgres:
            # Every member row goes into eight B-trees of random keys: with SQLite's default
            # 2 MB page cache each insertion reads its pages back from the operating system.
            self._exec(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
        self._create(STAGE, STAGE_COLUMNS)
        self._create(PROBE, PROBE_COLUMNS)

    def _create(self, table: str, columns: tuple[str, ...], db: Any = connection) -> None:
        typed = ", ".join(f"{c} {_TYPES.get(c, 'text')}" for c in columns)
        self._exec(f"CREATE TEMP TABLE {table} ({typed})", db=db)

    def drop(self) -> None:
        """Drop this connection's TEMP tables."""
        self._exec(f"DROP TABLE IF EXISTS {STAGE}")
        self._exec(f"DROP TABLE IF EXISTS {PROBE}")
        if not self.postgres:
            self._exec("PRAGMA cache_size = -2000")  # SQLite's default again

    def close(self) -> None:
        """`drop`, and close the partner connection (its TEMP table goes with it)."""
        try:
            self.drop()
        finally:
            if self.partner is not None:
                self.partner.dec_thread_sharing()
                self.partner.close()
                self.partner = None

    def probe(
        self,
        *,
        copy: bytes = b"",
        rows: list[tuple[Any, ...]] | None = None,
        high: bytes = b"",
    ) -> None:
        """Append a chunk's probes (first pass); `high`: the COPY rows of its high half, when
        the validator split them (ChunkResult.high), for the partner connection."""
        self._append(PROBE, PROBE_COLUMNS, copy, rows)
        if high:
            self._copy(PROBE, _PROBE_LIST, high, db=self.partner or connection)

    def classify(
        self, *, skip_unchanged: bool = True, staged: bool = False, repeats: bool = True
    ) -> list[tuple[int, int, str, str]]:
        """Compare every probe with the registry and the file's earlier rows, in one query:
        (row, first row of its ID number, masked ID number, REPEAT/NEW/TRANSFER/CHANGE) of each
        row that is not unchanged, in row order. A row is unchanged when the merge would change
        nothing: empty cells never erase, so they never differ either. Without
        `skip_unchanged` every row that is neither a repeat nor a transfer is a CHANGE (the
        reference the tests compare with). `staged`: compare the stage's member rows instead of
        probes (the rows of members registered before, in a one-pass import's chunk).
        `repeats=False`: no two probes share an ID number (RepeatCheck), so the probes are not
        grouped by it."""
        if staged:  # a one-pass import's chunk: SQLite, one connection
            verdicts = self._classify(skip_unchanged=skip_unchanged, staged=True, repeats=repeats)
            return [
                (row, first, _reported_mask(token, verdict), verdict)
                for row, first, token, verdict in verdicts
            ]
        if self.partner is None:
            return self._classify(skip_unchanged=skip_unchanged, repeats=repeats)
        # The two halves at once: the high one is compared in a thread on the partner
        # connection while this one compares the low one (the database works in two processes;
        # psycopg lets go of the GIL while it waits). Each half meets only the registry's
        # members of its half.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="member-classify") as thread:
            high = thread.submit(
                self._classify,
                skip_unchanged=skip_unchanged,
                repeats=repeats,
                half=">=",
                db=self.partner,
            )
            low = self._classify(skip_unchanged=skip_unchanged, repeats=repeats, half="<")
            return list(heapq.merge(low, high.result()))

    def _classify(
        self,
        *,
        skip_unchanged: bool,
        repeats: bool,
        staged: bool = False,
        half: str = "",
        db: Any = connection,
    ) -> list[tuple[int, int, str, str]]:
        """`classify` on one connection; `half` ("<" or ">="): of the registry, only the
        members of that half of the blind indexes."""
        m, d, p = self.members, self.distinct, _STAGE_AS_PROBE if staged else PROBE
        if self.postgres and db is connection:
            # A hash join of a million probes wants more than the default 4 MB of memory. (The
            # TEMP table is not analysed: its size alone steers the planner to hash joins.)
            self._exec(f"SET LOCAL work_mem = '{_CLASSIFY_MEMORY}'")
            self._exec(f"SET LOCAL {_NO_JIT}")
        # COLLATE "C": compared by code point, whatever the column's collation.
        member_half = f"AND m.id_number_index COLLATE \"C\" {half} '{HALF}' " if half else ""
        changed = (
            "TRUE"
            if not skip_unchanged
            else f"m.name <> p.name OR (p.phone_index <> '' AND m.phone_index <> p.phone_index) "
            f"OR (p.employer_id IS NOT NULL AND m.employer_id {d} p.employer_id) "
            f"OR (p.joined_on IS NOT NULL AND m.joined_on {d} p.joined_on)"
        )
        if repeats:
            first, repeat = "coalesce(r.first, p.key)", "r.first < p.key"
            grouped = (
                f"LEFT JOIN (SELECT idx, min(key) AS first FROM {p} GROUP BY idx "
                f"HAVING count(*) > 1) r ON r.idx = p.idx "
            )
        else:
            first, repeat, grouped = "p.key", "FALSE", ""
        return self._rows(
            f"SELECT p.key, {first}, p.masked, CASE "
            f"WHEN {repeat} THEN '{REPEAT}' WHEN m.id IS NULL THEN '{NEW}' "
            f"WHEN m.org_id <> p.org_id THEN '{TRANSFER}' ELSE '{CHANGE}' END "
            f"FROM {p} p {grouped}"
            f"LEFT JOIN {m} m ON m.id_number_index = p.idx {member_half}"
            f"WHERE {repeat} OR m.id IS NULL OR m.org_id <> p.org_id OR {changed} "
            f"ORDER BY p.key",
            db=db,
        )

    def load(self, *, copy: bytes = b"", rows: list[tuple[Any, ...]] | None = None) -> None:
        """Replace the stage with these member rows (inside the chunk's transaction)."""
        self._exec(f"TRUNCATE {STAGE}" if self.postgres else f"DELETE FROM {STAGE}")
        self._append(STAGE, STAGE_COLUMNS, copy, rows)
        if self.postgres and copy:
            # Without statistics the planner would hash-join the stage against the registry.
            self._exec(f"ANALYZE {STAGE}")

    def discard(self, keys: list[int]) -> None:
        """Take these rows out of the stage (the refused ones of a one-pass import's chunk)."""
        for start in range(0, len(keys), 500):
            part = keys[start : start + 500]
            marks = ", ".join(["%s"] * len(part))
            self._exec(f"DELETE FROM {STAGE} WHERE key IN ({marks})", part)

    # --- one pass (SQLite) ---

    def direct_base(self) -> int:
        """The id base of a one-pass import: its new members' ids are the base plus the row
        number. Taken inside the import's transaction, which holds SQLite's write lock (it begins
        IMMEDIATE, and has written by then: `indexes_off`), so that no other connection can add
        a member before it commits."""
        m = self.members
        (base,) = self._rows(
            f"SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "
            f"coalesce((SELECT max(id) FROM {m}), 0))",
            [m],
        )[0]
        return int(base)

    def direct_insert(self, rows: list[tuple[Any, ...]], base: int) -> int:
        """Insert these member rows (STAGE_COLUMNS) as new members with ids of `base` + their
        key, leaving out each whose ID number is registered already; returns how many went in.
        Their creation and update time is the chunk's, a constant of the statement: the
        columns' default would have SQLite read its clock and format it twice a row (a sixth
        of the insertion's time), and a parameter would be bound twice a row."""
        if not rows:
            return 0
        columns = ", ".join(STAGE_COLUMNS[1:])
        marks = ", ".join(["%s"] * (len(STAGE_COLUMNS) - 1))
        # Django's own spelling of the time (digits and separators: nothing to quote).
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {self.members} (id, {columns}, created_at, updated_at) "
                f"VALUES (%s + {int(base)}, {marks}, '{now}', '{now}') "
                f"ON CONFLICT (id_number_index) DO NOTHING",
                rows,
            )
            count: int = cursor.rowcount
            return count

    def member_ids(self, indexes: list[str]) -> dict[str, int]:
        """The registered member's id of each of these ID number blind indexes that has one."""
        return dict(
            self._rows(
                f"SELECT id_number_index, id FROM {self.members} "
                f"WHERE id_number_index IN (SELECT value FROM json_each(%s))",
                [json.dumps(indexes)],
            )
        )

    def indexes_off(self) -> list[str]:
        """SQLite: drop the registry's secondary indexes — all but the ID number's, which the
        merge looks members up by — and return the statements that build them again. Building
        an index over the whole registry at once beats inserting a file larger than the
        registry into it row by row; DDL is transactional, so a killed import restores them."""
        restore = []
        for name, sql in self._rows(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
            "AND sql IS NOT NULL AND instr(sql, 'UNIQUE') = 0",
            [self.members],
        ):
            self._exec(f'DROP INDEX "{name}"')
            restore.append(sql)
        return restore

    def indexes_on(self, restore: list[str]) -> None:
        for sql in restore:
            self._exec(sql)

    def merge(self) -> tuple[int, int]:
        """Insert new members and update changed ones; returns (created, updated).

        Empty cells never erase: no phone keeps the stored phone, no employer the stored one.
        New members go in first: when every staged row went in — the usual chunk of a file of
        new members — no staged row has a member to update, and the update's join with the
        registry is skipped. (A member just inserted equals its staged row, so the update
        never counts one.)
        """
        m, d = self.members, self.distinct
        # created_at and updated_at: the columns' database default, the transaction's time.
        columns = ", ".join(STAGE_COLUMNS[1:])
        created = self._exec(
            f"INSERT INTO {m} ({columns}) SELECT {columns} FROM {STAGE} s "
            f"WHERE NOT EXISTS (SELECT 1 FROM {m} WHERE {m}.id_number_index = s.id_number_index)"
        )
        if created == self._rows(f"SELECT count(*) FROM {STAGE}")[0][0]:
            return created, 0
        updated = self._exec(
            f"UPDATE {m} SET name = s.name, name_pinyin = s.name_pinyin, "
            f"name_initials = s.name_initials, "
            f"phone = CASE WHEN s.phone_index = '' OR s.phone_index = {m}.phone_index "
            f"THEN {m}.phone ELSE s.phone END, "
            f"phone_masked = CASE WHEN s.phone_index = '' THEN {m}.phone_masked "
            f"ELSE s.phone_masked END, "
            f"phone_index = CASE WHEN s.phone_index = '' THEN {m}.phone_index "
            f"ELSE s.phone_index END, "
            f"employer_id = coalesce(s.employer_id, {m}.employer_id), "
            f"joined_on = coalesce(s.joined_on, {m}.joined_on), updated_at = %s "
            f"FROM {STAGE} AS s WHERE {m}.id_number_index = s.id_number_index AND ("
            f"{m}.name <> s.name OR (s.phone_index <> '' AND {m}.phone_index <> s.phone_index) "
            f"OR (s.employer_id IS NOT NULL AND {m}.employer_id {d} s.employer_id) "
            f"OR (s.joined_on IS NOT NULL AND {m}.joined_on {d} s.joined_on))",
            [connection.ops.adapt_datetimefield_value(timezone.now())],
        )
        return created, updated

    # --- bulk load ---

    def bulk_id_base(self) -> int:
        """The id base of a bulk load: its member ids are the base plus the row number."""
        m = self.members
        (base,) = self._rows(f"SELECT nextval(pg_get_serial_sequence('{m}', 'id'))")[0]
        return int(base)

    def bulk_begin(self, base: int) -> list[str]:
        """Lock the registry, drop its secondary indexes and constraints (except the primary
        key) and return the statements that restore them."""
        m = self.members
        # Deferred foreign-key checks still pending in this transaction would block the DDL.
        self._exec("SET CONSTRAINTS ALL IMMEDIATE")
        self._exec(f"LOCK TABLE {m} IN ACCESS EXCLUSIVE MODE")
        if self._rows(f"SELECT 1 FROM {m} WHERE id >= %s LIMIT 1", [base]):
            # A member was added between taking the base and the lock: ids could collide.
            raise RuntimeError("The member registry changed as the import began; run it again.")
        restore = []
        for name, definition in self._rows(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('u', 'f')",
            [m],
        ):
            self._exec(f'ALTER TABLE {m} DROP CONSTRAINT "{name}"')
            restore.append(f'ALTER TABLE {m} ADD CONSTRAINT "{name}" {definition}')
        for name, definition in self._rows(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s "
            "AND i.schemaname = current_schema() AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
            "WHERE c.conname = i.indexname AND c.conrelid = %s::regclass)",
            [m, m],
        ):
            self._exec(f'DROP INDEX "{name}"')
            restore.append(definition)
        return restore

    def bulk_load(self, copy: bytes) -> None:
        if copy:
            self._copy(self.members, _MEMBER_COLUMNS, copy)

    def bulk_finish(self, base: int, restore: list[str]) -> list[tuple[int, int, str]]:
        """Build the indexes and constraints again, removing the repeats of an ID number first
        if the unique constraint finds any (keeping its first row); returns (row, earlier row,
        masked ID) of each removed repeat. Most files repeat none: trying the constraint first
        spares them a grouping of the whole load."""
        m = self.members
        self._exec("SET LOCAL maintenance_work_mem = '256MB'")
        cap = index_build_workers(connection.settings_dict["HOST"] or "", os.cpu_count() or 1)
        (workers,) = self._rows("SHOW max_parallel_maintenance_workers")[0]
        if cap is not None and cap < int(workers):
            self._exec(f"SET LOCAL max_parallel_maintenance_workers = {cap}")
        unique = [sql for sql in restore if "UNIQUE" in sql]  # the ID number's
        repeats: list[tuple[int, int, str]] = []
        try:
            with transaction.atomic():  # a savepoint, so a failed build leaves the load intact
                for statement in unique:
                    self._exec(statement)
        except IntegrityError:
            repeats = self._remove_repeats(base)
            for statement in unique:
                self._exec(statement)
        for statement in restore:
            if statement not in unique:
                self._exec(statement)
        self._exec(
            f"SELECT setval(pg_get_serial_sequence('{m}', 'id'), "
            f"(SELECT coalesce(max(id), 1) FROM {m}))"
        )
        return repeats

    def bulk_analyze(self) -> None:
        """Statistics for the planner, after the load has committed: a committed row's first
        reader marks it known-committed (hint bits) and so writes its page again. ANALYZE
        reads most pages of the table anyway; after the commit it marks them in passing,
        instead of the next import's comparison or the first searches doing it."""
        self._exec(f"ANALYZE {self.members}")

    def _remove_repeats(self, base: int) -> list[tuple[int, int, str]]:
        m = self.members
        repeats: list[tuple[int, int, str]] = []
        self._exec("SET LOCAL work_mem = '256MB'")
        for ids, token in self._rows(
            f"SELECT array_agg(id ORDER BY id), min(id_number) FROM {m} "
            f"WHERE id > %s GROUP BY id_number_index HAVING count(*) > 1",
            [base],
        ):
            masked = pii.mask_encrypted_id_number(token)  # every token of the group: one number
            repeats.extend((later - base, ids[0] - base, masked) for later in ids[1:])
        later_ids = [row + base for row, _earlier, _masked in repeats]
        for start in range(0, len(later_ids), 5000):
            self._exec(f"DELETE FROM {m} WHERE id = ANY(%s)", [later_ids[start : start + 5000]])
        return sorted(repeats)
