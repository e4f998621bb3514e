"""The set-based write of the member import: a temporary staging table and one merge per chunk.

PostgreSQL streams each chunk in with `COPY`; SQLite takes a batched `executemany`. Everything
after that is the same SQL on both: resolve employers and unions, reject duplicates and transfer
candidates, count, then one `INSERT … ON CONFLICT … DO UPDATE … WHERE changed`.
"""

from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.members.importing import STAGING_COLUMNS
from gonghui.members.models import Member
from gonghui.orgs.models import Employer, UnionOrg

STAGING = "member_import_staging"
_TYPES = {
    "row_no": "integer NOT NULL", "state": "smallint NOT NULL", "gender": "varchar(6)",
    "birth_date": "date", "joined_on": "date", "employer_id": "bigint", "org_id": "bigint",
}  # fmt: skip


def _pg_text(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, str):
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            return (
                value.replace("\\", "\\\\")
                .replace("\t", "\\t")
                .replace("\n", "\\n")
                .replace("\r", "\\r")
            )
        return value
    return str(value)


class Staging:
    """One import run's staging table in the current connection (a TEMP table: it vanishes
    with the session, so a killed import leaves nothing behind)."""

    def __init__(self, *, scope_path: str) -> None:
        self.scope_path = scope_path
        self.postgres = connection.vendor == "postgresql"
        self.members = Member._meta.db_table
        self.employers = Employer._meta.db_table
        self.orgs = UnionOrg._meta.db_table

    def _exec(self, sql: str, params: Sequence[Any] = ()) -> int:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            count: int = cursor.rowcount
            return count

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows: list[tuple[Any, ...]] = cursor.fetchall()
            return rows

    def create(self) -> None:
        columns = ", ".join(f"{c} {_TYPES.get(c, 'text')}" for c in STAGING_COLUMNS)
        self._exec(f"DROP TABLE IF EXISTS {STAGING}")
        self._exec(f"CREATE TEMP TABLE {STAGING} ({columns})")
        self._exec(f"CREATE INDEX {STAGING}_idx ON {STAGING} (id_idx, row_no)")
        self._exec(f"CREATE INDEX {STAGING}_row ON {STAGING} (row_no)")

    def drop(self) -> None:
        self._exec(f"DROP TABLE IF EXISTS {STAGING}")

    def write(self, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        if self.postgres:
            with connection.cursor() as cursor:
                copy_sql = f"COPY {STAGING} ({', '.join(STAGING_COLUMNS)}) FROM STDIN"
                with cursor.cursor.copy(copy_sql) as copy:
                    copy.write(
                        "".join("\t".join([_pg_text(v) for v in row]) + "\n" for row in rows)
                    )
        else:
            marks = ", ".join(["%s"] * len(STAGING_COLUMNS))
            with connection.cursor() as cursor:
                cursor.executemany(f"INSERT INTO {STAGING} VALUES ({marks})", rows)

    def _reject(self, where: str, reason_sql: str, column: str, params: Sequence[Any]) -> None:
        self._exec(
            f"UPDATE {STAGING} SET state = 1, err_column = %s, err_reason = {reason_sql} "
            f"WHERE state = 0 AND row_no BETWEEN %s AND %s AND {where}",
            [column, *params],
        )

    def resolve(self, lo: int, hi: int) -> None:
        """Employers by USCC or unique exact name, then the union of rows that named none."""
        scope = self.scope_path + "%"
        in_scope = (
            f"SELECT e.id, e.uscc, e.name, e.union_id, e.community_id FROM {self.employers} e "
            f"JOIN {self.orgs} o ON o.id = e.org_id WHERE o.path LIKE %s"
        )
        self._exec(
            f"UPDATE {STAGING} SET employer_id = (SELECT e.id FROM ({in_scope}) e "
            f"WHERE e.uscc = {STAGING}.employer_uscc) "
            f"WHERE state = 0 AND row_no BETWEEN %s AND %s AND employer_uscc <> ''",
            [scope, lo, hi],
        )
        self._exec(
            f"UPDATE {STAGING} SET employer_id = (SELECT min(e.id) FROM ({in_scope}) e "
            f"WHERE e.name = {STAGING}.employer_name HAVING count(*) = 1) "
            f"WHERE state = 0 AND row_no BETWEEN %s AND %s AND employer_uscc = '' "
            f"AND employer_name <> ''",
            [scope, lo, hi],
        )
        self._reject(
            "employer_id IS NULL AND (employer_uscc <> '' OR employer_name <> '')",
            "%s",
            "employer_uscc",
            [_("No employer with this credit code or exact name in your scope."), lo, hi],
        )
        # A row that names no union joins its employer's union, else its community union.
        self._exec(
            f"UPDATE {STAGING} SET org_id = (SELECT coalesce(e.union_id, e.community_id) "
            f"FROM {self.employers} e WHERE e.id = {STAGING}.employer_id) "
            f"WHERE state = 0 AND row_no BETWEEN %s AND %s AND org_id IS NULL",
            [lo, hi],
        )

    def reject_duplicates(self, lo: int, hi: int) -> None:
        first = (
            f"(SELECT min(f.row_no) FROM {STAGING} f WHERE f.id_idx = {STAGING}.id_idx "
            f"AND f.row_no < {STAGING}.row_no AND f.state = 0)"
        )
        message = _("The same ID number is already on row %(row)s of this file.")
        before, after = message.split("%(row)s")
        concat = f"%s || CAST({first} AS text) || %s"
        self._reject(f"{first} IS NOT NULL", concat, "id_number", [before, after, lo, hi])

    def reject_without_union(self, lo: int, hi: int, default_org_id: int | None) -> None:
        if default_org_id is not None:
            self._exec(
                f"UPDATE {STAGING} SET org_id = %s "
                f"WHERE state = 0 AND row_no BETWEEN %s AND %s AND org_id IS NULL",
                [default_org_id, lo, hi],
            )
        self._reject(
            "org_id IS NULL",
            "%s",
            "org_code",
            [_("No union given, and the employer has none: fill in the union code."), lo, hi],
        )

    def reject_transfer_candidates(self, lo: int, hi: int) -> None:
        """A member registered with another union is reported for a transfer, never moved."""
        other = (
            f"EXISTS (SELECT 1 FROM {self.members} m WHERE m.id_number_index = "
            f"{STAGING}.id_idx AND m.org_id <> {STAGING}.org_id)"
        )
        self._reject(
            other,
            "%s",
            "id_number",
            [_("Already a member of another union: request a transfer instead."), lo, hi],
        )

    def counts(self, lo: int, hi: int) -> tuple[int, int, int]:
        """(accepted rows, of which already registered, of which changed) in the chunk."""
        distinct = "IS DISTINCT FROM" if self.postgres else "IS NOT"
        changed = (
            f"m.name <> s.name OR (s.phone_idx <> '' AND m.phone_index <> s.phone_idx) "
            f"OR (s.employer_id IS NOT NULL AND m.employer_id {distinct} s.employer_id) "
            f"OR (s.joined_on IS NOT NULL AND m.joined_on {distinct} s.joined_on)"
        )
        ((accepted,),) = self._rows(
            f"SELECT count(*) FROM {STAGING} WHERE state = 0 AND row_no BETWEEN %s AND %s", [lo, hi]
        )
        ((existing, changed_n),) = self._rows(
            f"SELECT count(*), coalesce(sum(CASE WHEN {changed} THEN 1 ELSE 0 END), 0) "
            f"FROM {STAGING} s JOIN {self.members} m ON m.id_number_index = s.id_idx "
            f"WHERE s.state = 0 AND s.row_no BETWEEN %s AND %s",
            [lo, hi],
        )
        return accepted, existing, changed_n

    def merge(self, lo: int, hi: int) -> None:
        now = timezone.now()
        distinct = "IS DISTINCT FROM" if self.postgres else "IS NOT"
        m = self.members
        self._exec(
            f"INSERT INTO {m} (name, name_pinyin, name_initials, id_number, id_number_index, "
            f"id_number_masked, gender, birth_date, native_region, phone, phone_index, "
            f"phone_masked, employer_id, org_id, joined_on, status, source, created_at, "
            f"updated_at) "
            f"SELECT name, name_pinyin, name_initials, id_enc, id_idx, id_masked, gender, "
            f"birth_date, native_region, phone_enc, phone_idx, phone_masked, employer_id, "
            f"org_id, joined_on, 'active', 'import', %s, %s FROM {STAGING} "
            f"WHERE state = 0 AND row_no BETWEEN %s AND %s "
            f"ON CONFLICT (id_number_index) DO UPDATE SET "
            f"name = excluded.name, name_pinyin = excluded.name_pinyin, "
            f"name_initials = excluded.name_initials, "
            f"phone = CASE WHEN excluded.phone_index = '' OR excluded.phone_index = "
            f"{m}.phone_index THEN {m}.phone ELSE excluded.phone END, "
            f"phone_masked = CASE WHEN excluded.phone_index = '' THEN {m}.phone_masked "
            f"ELSE excluded.phone_masked END, "
            f"phone_index = CASE WHEN excluded.phone_index = '' THEN {m}.phone_index "
            f"ELSE excluded.phone_index END, "
            f"employer_id = coalesce(excluded.employer_id, {m}.employer_id), "
            f"joined_on = coalesce(excluded.joined_on, {m}.joined_on), "
            f"updated_at = excluded.updated_at "
            f"WHERE {m}.name <> excluded.name "
            f"OR (excluded.phone_index <> '' AND {m}.phone_index <> excluded.phone_index) "
            f"OR (excluded.employer_id IS NOT NULL AND {m}.employer_id {distinct} "
            f"excluded.employer_id) "
            f"OR (excluded.joined_on IS NOT NULL AND {m}.joined_on {distinct} excluded.joined_on)",
            [now, now, lo, hi],
        )

    def rejections(self) -> list[tuple[int, str, str, str]]:
        return [
            (r[0], r[1] or "", r[2] or "", r[3] or "")
            for r in self._rows(
                f"SELECT row_no, err_column, err_value, err_reason FROM {STAGING} "
                f"WHERE state = 1 ORDER BY row_no"
            )
        ]
