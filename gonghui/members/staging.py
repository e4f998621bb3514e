"""The set-based write of the member import.

Two ways in, both fed with the rows `importing.ChunkValidator` formatted:

- Staging (every import): one query per chunk compares its accepted rows with the registry and
  with the file's earlier chunks (`classify`: the chunk's keys as two arrays, probed against
  the registry's unique index and the `seen` table); the importing process rejects repeated
  ID numbers and transfer candidates and leaves out the rows that would change nothing. Only
  new and changed rows go into a TEMP staging table (PostgreSQL `COPY`, SQLite a batched
  `executemany`), and the same SQL on both inserts the new members and updates the changed
  ones. Each chunk commits on its own. The TEMP table `seen` keeps the ID-number index and row
  of every accepted row so far, to report a repeated ID number anywhere in the file.
  Temporary tables vanish with the connection, so a killed import leaves nothing behind.
- Bulk load (PostgreSQL, a large file into an empty registry): one transaction that drops the
  registry's secondary indexes, unique and foreign-key constraints, `COPY`s every chunk straight
  into the registry with the row number as part of the member id, removes repeated ID numbers
  with one query at the end and builds the indexes and constraints again. A sorted index build
  and one validating join beat a million index insertions and trigger calls; a killed load rolls
  back whole (DDL is transactional on PostgreSQL).
"""

from collections.abc import Iterable
from typing import Any

from django.db import connection

from gonghui.members.importing import STAGE_COLUMNS, Probe
from gonghui.members.models import Member

STAGE = "member_import_stage"
SEEN = "member_import_seen"
KEYS = "member_import_keys"
_TYPES = {"key": "bigint", "birth_date": "date", "joined_on": "date", "employer_id": "bigint",
          "org_id": "bigint", "created_at": "timestamptz", "updated_at": "timestamptz"}  # fmt: skip
# Member columns, in staging order; the bulk load writes the key into the id.
_MEMBER_COLUMNS = ", ".join(("id", *STAGE_COLUMNS[1:]))


# A chunk's (key, ID-number index) pairs as two comma-separated lists: psycopg would escape
# every element of a Python list on its way to an array, in Python.
_UNNEST = "unnest(string_to_array(%s, ',')::bigint[], string_to_array(%s, ',')) AS k (key, idx)"


def _lists(pairs: list[Any]) -> list[str]:
    """Keys and indexes of (key, index, ...) tuples: digits and hex, never a comma."""
    return [",".join([str(p[0]) for p in pairs]), ",".join([p[1] for p in pairs])]


class Staging:
    def __init__(self) -> None:
        self.postgres = connection.vendor == "postgresql"
        self.members = Member._meta.db_table
        self.distinct = "IS DISTINCT FROM" if self.postgres else "IS NOT"

    def _exec(self, sql: str, params: Iterable[Any] = ()) -> int:
        with connection.cursor() as cursor:
            cursor.execute(sql, list(params))
            count: int = cursor.rowcount
            return count

    def _rows(self, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(sql, list(params))
            rows: list[tuple[Any, ...]] = cursor.fetchall()
            return rows

    @staticmethod
    def _unlogged(sql: str, params: list[str], *, fetch: bool) -> list[tuple[Any, ...]]:
        """A statement carrying a chunk's keys (about a megabyte of text) past Django's query
        log, which under DEBUG would keep the last 9 000 of them."""
        with connection.cursor() as cursor:
            cursor.cursor.execute(sql, params)
            return cursor.cursor.fetchall() if fetch else []

    def _copy(self, table: str, columns: str, text: str) -> None:
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
        ):
            copy.write(text)

    # --- staging ---

    def create(self) -> None:
        columns = ", ".join(f"{c} {_TYPES.get(c, 'text')}" for c in STAGE_COLUMNS)
        self.drop()
        self._exec(f"CREATE TEMP TABLE {STAGE} ({columns})")
        self._exec(f"CREATE TEMP TABLE {SEEN} (id_idx text PRIMARY KEY, row_no integer)")
        if not self.postgres:  # PostgreSQL reads a chunk's keys from arrays instead
            self._exec(f"CREATE TEMP TABLE {KEYS} (key bigint, idx text)")

    def drop(self) -> None:
        self._exec(f"DROP TABLE IF EXISTS {STAGE}")
        self._exec(f"DROP TABLE IF EXISTS {SEEN}")
        self._exec(f"DROP TABLE IF EXISTS {KEYS}")

    def load(
        self, *, lines: list[str] | None = None, rows: list[tuple[Any, ...]] | None = None
    ) -> None:
        """Replace the stage with these rows (inside the chunk's transaction): COPY text lines
        on PostgreSQL, tuples on SQLite."""
        self._exec(f"TRUNCATE {STAGE}" if self.postgres else f"DELETE FROM {STAGE}")
        if self.postgres:
            if not lines:
                return
            self._copy(STAGE, ", ".join(STAGE_COLUMNS), "".join(lines))
            # Temporary tables are never analysed automatically: without statistics the planner
            # would hash-join the stage against the whole registry.
            self._exec(f"ANALYZE {STAGE}")
        elif rows:
            marks = ", ".join(["%s"] * len(STAGE_COLUMNS))
            with connection.cursor() as cursor:
                cursor.executemany(f"INSERT INTO {STAGE} VALUES ({marks})", rows)

    def classify(self, probes: list[Probe]) -> dict[int, tuple[Any, ...]]:
        """What the registry and the earlier chunks know of these rows, one query for the
        chunk: key → (row of the same ID number earlier in the file or None, and the stored
        member's name, phone index, employer id, union id, ISO join date, id — all None when
        the ID number is new). Rows found in neither are left out."""
        if self.postgres:
            # A chunk probes the registry's unique index once per row; with the default cost of
            # a random page (spinning disks) PostgreSQL would hash-join the whole registry
            # instead. SSD-era cost, for this transaction only.
            self._exec("SET LOCAL random_page_cost = 1.1")
            source, params = _UNNEST, _lists(probes)
        else:
            self._exec(f"DELETE FROM {KEYS}")
            with connection.cursor() as cursor:
                cursor.executemany(f"INSERT INTO {KEYS} VALUES (%s, %s)", [p[:2] for p in probes])
            source, params = f"{KEYS} AS k", []
        m = self.members
        sql = (
            f"SELECT k.key, f.row_no, m.name, m.phone_index, m.employer_id, m.org_id, "
            f"CAST(m.joined_on AS text), m.id FROM {source} "
            f"LEFT JOIN {SEEN} f ON f.id_idx = k.idx "
            f"LEFT JOIN {m} m ON m.id_number_index = k.idx "
            f"WHERE f.row_no IS NOT NULL OR m.id IS NOT NULL"
        )
        found = self._unlogged(sql, params, fetch=True) if self.postgres else self._rows(sql)
        return {row[0]: row[1:] for row in found}

    def remember(self, seen: list[tuple[int, str]]) -> None:
        """Add (row, ID-number index) pairs to the rows seen so far in this file."""
        if not seen:
            return
        if self.postgres:
            self._unlogged(
                f"INSERT INTO {SEEN} (row_no, id_idx) SELECT key, idx FROM {_UNNEST}",
                _lists(seen),
                fetch=False,
            )
        else:
            with connection.cursor() as cursor:
                cursor.executemany(f"INSERT INTO {SEEN} (row_no, id_idx) VALUES (%s, %s)", seen)

    def merge(self) -> tuple[int, int]:
        """Insert new members and update changed ones; returns (created, updated).

        Empty cells never erase: no phone keeps the stored phone, no employer the stored one.
        """
        m, d = self.members, self.distinct
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
            f"joined_on = coalesce(s.joined_on, {m}.joined_on), updated_at = s.updated_at "
            f"FROM {STAGE} AS s WHERE {m}.id_number_index = s.id_number_index AND ("
            f"{m}.name <> s.name OR (s.phone_index <> '' AND {m}.phone_index <> s.phone_index) "
            f"OR (s.employer_id IS NOT NULL AND {m}.employer_id {d} s.employer_id) "
            f"OR (s.joined_on IS NOT NULL AND {m}.joined_on {d} s.joined_on))"
        )
        columns = ", ".join(STAGE_COLUMNS[1:])
        created = self._exec(
            f"INSERT INTO {m} ({columns}) SELECT {columns} FROM {STAGE} s "
            f"WHERE NOT EXISTS (SELECT 1 FROM {m} WHERE {m}.id_number_index = s.id_number_index)"
        )
        return created, updated

    # --- bulk load ---

    def bulk_begin(self) -> tuple[int, list[str]]:
        """Lock the registry, drop its secondary indexes and constraints (except the primary
        key) and return (id base, statements that restore them). Member ids of this load are
        the id base plus the row number."""
        m = self.members
        # Deferred foreign-key checks still pending in this transaction would block the DDL.
        self._exec("SET CONSTRAINTS ALL IMMEDIATE")
        self._exec(f"LOCK TABLE {m} IN ACCESS EXCLUSIVE MODE")
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
        # Unique constraint first: the other indexes and the foreign keys need no order.
        restore.sort(key=lambda sql: "UNIQUE" not in sql)
        (base,) = self._rows(f"SELECT nextval(pg_get_serial_sequence('{m}', 'id'))")[0]
        return int(base), restore

    def bulk_load(self, copy_text: str) -> None:
        if copy_text:
            self._copy(self.members, _MEMBER_COLUMNS, copy_text)

    def bulk_finish(self, base: int, restore: list[str]) -> list[tuple[int, int, str]]:
        """Remove the repeats of an ID number (keeping its first row), build the indexes and
        constraints again; returns (row, earlier row, masked ID) of each removed repeat."""
        m = self.members
        repeats: list[tuple[int, int, str]] = []
        for ids, masked in self._rows(
            f"SELECT array_agg(id ORDER BY id), min(id_number_masked) FROM {m} "
            f"WHERE id > %s GROUP BY id_number_index HAVING count(*) > 1",
            [base],
        ):
            repeats.extend((later - base, ids[0] - base, masked) for later in ids[1:])
        later_ids = [row + base for row, _earlier, _masked in repeats]
        for start in range(0, len(later_ids), 5000):
            self._exec(f"DELETE FROM {m} WHERE id = ANY(%s)", [later_ids[start : start + 5000]])
        self._exec("SET LOCAL maintenance_work_mem = '256MB'")
        for statement in restore:
            self._exec(statement)
        self._exec(
            f"SELECT setval(pg_get_serial_sequence('{m}', 'id'), "
            f"(SELECT coalesce(max(id), 1) FROM {m}))"
        )
        self._exec(f"ANALYZE {m}")
        return sorted(repeats)
