"""The set-based write of the member import: a per-chunk staging table and one merge per chunk.

PostgreSQL streams each chunk in with `COPY`; SQLite takes a batched `executemany`. Then the
same SQL on both: find transfer candidates, insert the new members, update the changed ones.
Lookups (employers, unions) happen in Python per chunk with one query each, so the staging rows
are final when written and never updated (an UPDATE would rewrite every row version).

Two TEMP tables live for one import run in the importing connection and vanish with it, so a
killed import leaves nothing behind: `stage` holds the current chunk, `seen` the ID-number index
and row of every accepted row so far, to report a repeated ID number anywhere in the file.
"""

from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.utils import timezone

from gonghui.members.models import Member

STAGE = "member_import_stage"
SEEN = "member_import_seen"
# Accepted rows only; rejections never reach the database.
STAGE_COLUMNS = (
    "row_no", "name", "name_pinyin", "name_initials", "id_enc", "id_idx", "id_masked", "gender",
    "birth_date", "native_region", "phone_enc", "phone_idx", "phone_masked", "employer_id",
    "org_id", "joined_on",
)  # fmt: skip
_TYPES = {"row_no": "integer", "birth_date": "date", "joined_on": "date",
          "employer_id": "bigint", "org_id": "bigint"}  # fmt: skip


def _pg(value: Any) -> str:
    if value is None:
        return "\\N"
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        return (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return text


def _copy_line(r: tuple[Any, ...]) -> str:
    """One COPY text line. Only the name is free text; the other columns are digits, hex,
    base64url, ASCII letters, masks or dates, and only the employer and join date may be NULL.
    """
    employer = "\\N" if r[13] is None else r[13]
    joined = "\\N" if r[15] is None else r[15]
    return (
        f"{r[0]}\t{_pg(r[1])}\t{r[2]}\t{r[3]}\t{r[4]}\t{r[5]}\t{r[6]}\t{r[7]}\t{r[8]}\t"
        f"{r[9]}\t{r[10]}\t{r[11]}\t{r[12]}\t{employer}\t{r[14]}\t{joined}\n"
    )


class Staging:
    def __init__(self) -> None:
        self.postgres = connection.vendor == "postgresql"
        self.members = Member._meta.db_table
        self.distinct = "IS DISTINCT FROM" if self.postgres else "IS NOT"
        self._loads = 0

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

    def create(self) -> None:
        columns = ", ".join(f"{c} {_TYPES.get(c, 'text')}" for c in STAGE_COLUMNS)
        self.drop()
        self._exec(f"CREATE TEMP TABLE {STAGE} ({columns})")
        self._exec(f"CREATE TEMP TABLE {SEEN} (id_idx text PRIMARY KEY, row_no integer)")

    def drop(self) -> None:
        self._exec(f"DROP TABLE IF EXISTS {STAGE}")
        self._exec(f"DROP TABLE IF EXISTS {SEEN}")

    def load(self, rows: list[tuple[Any, ...]]) -> None:
        """Replace the stage with this chunk's accepted rows (call inside the chunk's
        transaction)."""
        if self.postgres:
            # A chunk probes the registry's unique index once per row; with the default cost of
            # a random page (spinning disks) PostgreSQL would hash-join the whole registry for
            # every chunk instead. SSD-era cost, for this transaction only.
            self._exec("SET LOCAL random_page_cost = 1.1")
        self._exec(f"TRUNCATE {STAGE}" if self.postgres else f"DELETE FROM {STAGE}")
        if not rows:
            return
        if self.postgres:
            with connection.cursor() as cursor:
                sql = f"COPY {STAGE} ({', '.join(STAGE_COLUMNS)}) FROM STDIN"
                with cursor.cursor.copy(sql) as copy:
                    copy.write("".join([_copy_line(row) for row in rows]))
        else:
            marks = ", ".join(["%s"] * len(STAGE_COLUMNS))
            with connection.cursor() as cursor:
                cursor.executemany(f"INSERT INTO {STAGE} VALUES ({marks})", rows)
        # Temporary tables are never analysed automatically: without statistics the planner
        # would hash-join the stage against the whole registry for every chunk.
        self._exec(f"ANALYZE {STAGE}")
        self._loads += 1
        if self._loads in (1, 2, 4, 8) or self._loads % 16 == 0:
            self._exec(f"ANALYZE {SEEN}")

    def repeated(self) -> list[tuple[int, int]]:
        """(row, earlier row) for stage rows whose ID number an earlier chunk already had."""
        return [
            (r[0], r[1])
            for r in self._rows(
                f"SELECT s.row_no, f.row_no FROM {STAGE} s JOIN {SEEN} f ON f.id_idx = s.id_idx"
            )
        ]

    def transfer_candidates(self) -> list[int]:
        """Rows whose ID number is registered with another union (or outside the scope)."""
        return [
            r[0]
            for r in self._rows(
                f"SELECT s.row_no FROM {STAGE} s JOIN {self.members} m "
                f"ON m.id_number_index = s.id_idx WHERE m.org_id <> s.org_id"
            )
        ]

    def discard(self, rows: list[int]) -> None:
        for start in range(0, len(rows), 500):
            part = rows[start : start + 500]
            marks = ", ".join(["%s"] * len(part))
            self._exec(f"DELETE FROM {STAGE} WHERE row_no IN ({marks})", part)

    def remember(self) -> None:
        self._exec(f"INSERT INTO {SEEN} (id_idx, row_no) SELECT id_idx, row_no FROM {STAGE}")

    def drop_secondary_indexes(self) -> list[str]:
        """PostgreSQL bulk load: drop the registry's indexes that back no constraint and return
        their definitions. Call inside the transaction that will `restore_indexes`: DDL is
        transactional there, so a killed load rolls back with its indexes intact."""
        rows = self._rows(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s "
            "AND i.schemaname = current_schema() AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
            "WHERE c.conname = i.indexname AND c.conrelid = %s::regclass)",
            [self.members, self.members],
        )
        for name, _definition in rows:
            self._exec(f'DROP INDEX "{name}"')
        return [definition for _name, definition in rows]

    def restore_indexes(self, definitions: list[str]) -> None:
        """Build the dropped indexes again: one sorted build each beats a million inserts."""
        # Django's foreign keys are deferred; their checks must run before the table is altered.
        self._exec("SET CONSTRAINTS ALL IMMEDIATE")
        self._exec("SET LOCAL maintenance_work_mem = '256MB'")
        for definition in definitions:
            self._exec(definition)

    def merge(self) -> tuple[int, int]:
        """Insert new members and update changed ones; returns (created, updated).

        Empty cells never erase: no phone keeps the stored phone, no employer the stored one.
        """
        now = timezone.now()
        m, d = self.members, self.distinct
        updated = self._exec(
            f"UPDATE {m} SET name = s.name, name_pinyin = s.name_pinyin, "
            f"name_initials = s.name_initials, "
            f"phone = CASE WHEN s.phone_idx = '' OR s.phone_idx = {m}.phone_index "
            f"THEN {m}.phone ELSE s.phone_enc END, "
            f"phone_masked = CASE WHEN s.phone_idx = '' THEN {m}.phone_masked "
            f"ELSE s.phone_masked END, "
            f"phone_index = CASE WHEN s.phone_idx = '' THEN {m}.phone_index ELSE s.phone_idx END, "
            f"employer_id = coalesce(s.employer_id, {m}.employer_id), "
            f"joined_on = coalesce(s.joined_on, {m}.joined_on), updated_at = %s "
            f"FROM {STAGE} AS s WHERE {m}.id_number_index = s.id_idx AND ("
            f"{m}.name <> s.name OR (s.phone_idx <> '' AND {m}.phone_index <> s.phone_idx) "
            f"OR (s.employer_id IS NOT NULL AND {m}.employer_id {d} s.employer_id) "
            f"OR (s.joined_on IS NOT NULL AND {m}.joined_on {d} s.joined_on))",
            [now],
        )
        created = self._exec(
            f"INSERT INTO {m} (name, name_pinyin, name_initials, id_number, id_number_index, "
            f"id_number_masked, gender, birth_date, native_region, phone, phone_index, "
            f"phone_masked, employer_id, org_id, joined_on, status, source, created_at, "
            f"updated_at) "
            f"SELECT name, name_pinyin, name_initials, id_enc, id_idx, id_masked, gender, "
            f"birth_date, native_region, phone_enc, phone_idx, phone_masked, employer_id, "
            f"org_id, joined_on, 'active', 'import', %s, %s FROM {STAGE} s "
            f"WHERE NOT EXISTS (SELECT 1 FROM {m} WHERE {m}.id_number_index = s.id_idx)",
            [now, now],
        )
        return created, updated
