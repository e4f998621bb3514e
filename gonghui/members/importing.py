"""Validation stage of the member import: a chunk of parsed rows in, staging rows and RowErrors out.

One `ChunkValidator` call takes a chunk of raw rows (row number, original cells), normalises and
validates every row, encrypts and indexes the personal data, finds the employers with one query
per chunk and hands back the accepted rows already formatted for the staging table (COPY text on
PostgreSQL, tuples on SQLite). It needs no state from earlier chunks, so chunks can be validated
in worker processes (`gonghui.members.pool`) while the database merges the previous ones.

An import spends most of its Python time in `_row`, row after row: the common, already clean
value takes a fast path (with small caches for what repeats across rows: regions, birth dates,
credit codes, union codes, names), anything else the full validator, which also words the error.
"""

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from gonghui.core import pii
from gonghui.core.tabular import (
    Column,
    RowError,
    TextChunk,
    clean,
    parse_date,
    parse_text_chunk,
)
from gonghui.core.validators import (
    ID_WEIGHTS,
    PROVINCE_PREFIXES,
    InvalidValue,
    normalize_id_number,
    normalize_mobile,
    normalize_uscc,
)
from gonghui.members.pinyin import name_keys
from gonghui.orgs.models import Employer, OrgKind

MEMBER_COLUMNS = (
    Column("name", ("姓名", "name", "会员姓名"), required=True),
    Column("id_number", ("身份证号", "公民身份号码", "身份证号码", "id_number"), required=True),
    Column("phone", ("手机号", "手机号码", "phone", "mobile")),
    Column("employer_name", ("工作单位", "employer_name", "单位名称")),
    Column("employer_uscc", ("统一社会信用代码", "employer_uscc")),
    Column("org_code", ("工会代码", "所属工会", "org_code")),
    Column("joined_on", ("入会时间", "入会日期", "joined_on")),
)
# Unions that hold members directly; federations above them do not.
MEMBER_ORG_KINDS = frozenset(
    {OrgKind.COMMUNITY, OrgKind.JOINT, OrgKind.INDUSTRY, OrgKind.GROUP, OrgKind.ENTERPRISE}
)
# The staging row: `key` is the row number plus the chunk's id base (0 when staging; the member
# id itself in a bulk load, see staging.Staging.bulk_begin). Constant columns close it, so that
# a bulk load can COPY the same text straight into the registry.
STAGE_COLUMNS = (
    "key", "name", "name_pinyin", "name_initials", "id_number", "id_number_index",
    "id_number_masked", "gender", "birth_date", "native_region", "phone", "phone_index",
    "phone_masked", "employer_id", "org_id", "joined_on", "status", "source", "created_at",
    "updated_at",
)  # fmt: skip
# Positions in a validated row while the chunk is being processed.
(ROW, NAME, PINYIN, INITIALS, ID_ENC, ID_IDX, ID_MASKED, GENDER, BIRTH, REGION, PHONE_ENC,
 PHONE_IDX, PHONE_MASKED, EMPLOYER, ORG, JOINED, USCC, EMPLOYER_NAME) = range(18)  # fmt: skip

_ID_SHAPE = re.compile(r"[1-9][0-9]{16}[0-9X]")
_PHONE_SHAPE = re.compile(r"1[3-9][0-9]{9}")
_ISO_DATE = re.compile(r"[12][0-9]{3}-[01][0-9]-[0-3][0-9]")
_NULL = "\\N"  # COPY text's NULL
_DIGIT_VALUES = {str(d): d for d in range(10)}


def _weighted(digits: str, weights: Sequence[int]) -> int:
    return sum(_DIGIT_VALUES[d] * w for d, w in zip(digits, weights, strict=True))


class _Reject(Exception):
    def __init__(self, column: str, value: str, reason: str) -> None:
        self.column, self.value, self.reason = column, value, reason


# A validated row between `check` and `finish`, see ChunkValidator._split.
Checked = tuple[int, str, str, int | None, Any, Any, tuple[str, str, str, str | None, str] | None]
# What the staged import compares with the registry, per accepted row (see `finish`): (key,
# ID-number index, name, phone index or "", employer id, union id, ISO join date, masked ID).
Probe = tuple[int, str, str, str, int | None, int, str | None, str]


@dataclass
class ChunkResult:
    count: int = 0  # rows read, accepted or not
    records: int = 0  # records of a TextChunk, blank ones included
    accepted: int = 0
    lines: list[str] = field(default_factory=list)  # PostgreSQL: accepted rows, COPY text lines
    rows: list[tuple[Any, ...]] = field(default_factory=list)  # SQLite: the accepted rows
    probes: list[Probe] = field(default_factory=list)  # one per accepted row, in the same order
    checked: list[Checked] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


@dataclass(frozen=True)
class ImportContext:
    """What validation needs to know about the import; plain data, so it crosses processes."""

    scope_path: str
    orgs: Mapping[str, tuple[int, str]]  # code → (id, kind) of the unions in the scope
    default_org: int | None  # the importing union, when it holds members itself
    today: date
    fields: Mapping[str, int]  # field → position of its column in the file
    copy_text: bool  # PostgreSQL COPY text, else tuples
    created_at: str  # ISO timestamp for created_at/updated_at of the whole import
    id_base: int = 0
    delimiter: str = ","  # of a CSV file's TextChunks


class ChunkValidator:
    """Validates chunks of one import. Build one per import (or per worker process)."""

    def __init__(self, context: ImportContext) -> None:
        self.context = context
        self.today = context.today
        vault = pii.vault()
        self.encrypt = vault.encrypt
        self.index = vault.blind_index
        positions = [context.fields.get(c.field, -1) for c in MEMBER_COLUMNS]
        self.positions = positions
        self.width = max(positions) + 1
        self._checks: dict[str, int] = {}  # partial check-digit sums of regions, dates, sequences
        self._dates: dict[str, bool] = {}  # YYYYMMDD → a plausible birth date
        # Outcomes of checks that repeat across rows (see _cached).
        self._usccs: dict[str, Any] = {}
        self._orgs: dict[str, Any] = {}
        self._joined: dict[str, Any] = {}
        self._constants = ("active", "import", context.created_at, context.created_at)
        self._suffix = "".join(f"\t{value}" for value in self._constants) + "\n"

    # --- one row ---

    def _cells(self, cells: list[str]) -> list[str]:
        if len(cells) < self.width:
            cells = cells + [""] * (self.width - len(cells))
        return [clean(cells[p]) if p >= 0 else "" for p in self.positions]

    def _id_number(self, raw: str) -> str:
        """The canonical ID number; the fast path checks a clean one with cached partial sums."""
        number = raw[:17] + "X" if len(raw) == 18 and raw[17] == "x" else raw
        if _ID_SHAPE.fullmatch(number) and number[:2] in PROVINCE_PREFIXES:
            checks, dates = self._checks, self._dates
            region, born, seq = number[:6], number[6:14], number[14:17]
            valid_date = dates.get(born)
            if valid_date is None:
                valid_date = dates[born] = self._plausible_birth(born)
            if valid_date:
                total = checks.get(region)
                if total is None:
                    total = checks[region] = _weighted(region, ID_WEIGHTS[:6])
                part = checks.get("d" + born)
                if part is None:
                    part = checks["d" + born] = _weighted(born, ID_WEIGHTS[6:14])
                total += part
                part = checks.get("s" + seq)
                if part is None:
                    part = checks["s" + seq] = _weighted(seq, ID_WEIGHTS[14:17])
                if "10X98765432"[(total + part) % 11] == number[17]:
                    return number
        try:
            return normalize_id_number(raw, today=self.today)
        except InvalidValue as exc:
            raise _Reject("id_number", pii.mask_id_number(raw), str(exc)) from None

    def _plausible_birth(self, digits: str) -> bool:
        try:
            born = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
        except ValueError:
            return False
        return born.year >= 1900 and born <= self.today

    @staticmethod
    def _cached(cache: dict[str, Any], key: str, check: Callable[[str], Any]) -> Any:
        """`check(key)`, remembered per import: values repeat across rows, and so do their
        errors (a remembered _Reject is raised again)."""
        outcome = cache.get(key)
        if outcome is None:
            try:
                outcome = check(key)
            except _Reject as exc:
                outcome = exc
            cache[key] = outcome
        if isinstance(outcome, _Reject):
            raise outcome
        return outcome

    @staticmethod
    def _check_uscc(raw: str) -> str:
        try:
            return normalize_uscc(raw).code
        except InvalidValue as exc:
            raise _Reject("employer_uscc", raw, str(exc)) from None

    def _check_org(self, code: str) -> int:
        org = self.context.orgs.get(code)
        if org is None:
            raise _Reject(
                "org_code", code, _("No union org %(code)s in your scope.") % {"code": code}
            )
        if org[1] not in MEMBER_ORG_KINDS:
            raise _Reject(
                "org_code",
                code,
                _("%(code)s is a federation; members belong to a grassroots or joint union.")
                % {"code": code},
            )
        return org[0]

    def _check_joined_on(self, raw: str) -> str:
        """ISO date of a join date as typed (any accepted spelling), not in the future."""
        try:
            joined = date.fromisoformat(raw) if _ISO_DATE.fullmatch(raw) else parse_date(raw)
        except ValueError:
            raise _Reject("joined_on", raw, _("Not a date; write it as 2024-03-05.")) from None
        if joined > self.today:
            raise _Reject("joined_on", raw, _("The date is in the future."))
        return joined.isoformat()

    def _row(self, number: int, cells: list[str]) -> list[Any]:
        name, raw_id, raw_phone, employer_name, uscc, org_code, raw_joined = self._cells(cells)
        if not name:
            raise _Reject("name", name, _("This field is required."))
        if len(name) > 50:
            raise _Reject("name", name, _("Longer than %(limit)d characters.") % {"limit": 50})
        id_number = self._id_number(raw_id)
        phone_enc = phone_idx = phone_masked = ""
        if raw_phone:
            if _PHONE_SHAPE.fullmatch(raw_phone):
                phone = raw_phone
            else:
                try:
                    phone = normalize_mobile(raw_phone)
                except InvalidValue as exc:
                    raise _Reject("phone", pii.mask_phone(raw_phone), str(exc)) from None
            phone_enc = self.encrypt(phone)
            phone_idx = self.index(phone, kind="phone")
            phone_masked = phone[:3] + "****" + phone[7:]
        if uscc:
            uscc = self._cached(self._usccs, uscc, self._check_uscc)
        org_id = self._cached(self._orgs, org_code, self._check_org) if org_code else None
        joined = None
        if raw_joined:
            joined = self._cached(self._joined, raw_joined, self._check_joined_on)
            if int(joined[:4]) - int(id_number[6:10]) < 16:
                raise _Reject(
                    "joined_on", raw_joined, _("The member would have joined before the age of 16.")
                )
        pinyin, initials = name_keys(name)
        return [
            number, name, pinyin, initials, self.encrypt(id_number),
            self.index(id_number, kind="id_number"), id_number[:6] + "********" + id_number[14:],
            "male" if int(id_number[16]) % 2 else "female",
            f"{id_number[6:10]}-{id_number[10:12]}-{id_number[12:14]}", id_number[:6],
            phone_enc, phone_idx, phone_masked, None, org_id, joined, uscc, employer_name[:200],
        ]  # fmt: skip

    # --- one chunk ---

    def __call__(self, chunk: Sequence[tuple[int, list[str]]]) -> ChunkResult:
        return self.finish(self.check(chunk))

    def check_text(self, chunk: TextChunk) -> ChunkResult:
        """`check` a chunk of CSV text (parsed here, in the worker)."""
        rows, records = parse_text_chunk(chunk, self.context.delimiter)
        result = self.check(rows)
        result.records = records
        return result

    def check(self, chunk: Sequence[tuple[int, list[str]]]) -> ChunkResult:
        """Validate every row of the chunk and format all of it but the employer and union
        (no database access: this runs in worker processes); `finish` completes it."""
        result = ChunkResult(count=len(chunk))
        first: dict[str, int] = {}
        repeated = _("The same ID number is already on row %(row)d of this file.")
        for number, cells in chunk:
            try:
                row = self._row(number, cells)
            except _Reject as exc:
                result.errors.append(RowError(number, exc.column, exc.value[:200], exc.reason))
                continue
            earlier = first.setdefault(row[ID_IDX], number)
            if earlier != number:
                result.errors.append(
                    RowError(number, "id_number", row[ID_MASKED], repeated % {"row": earlier})
                )
                continue
            result.checked.append(self._split(row))
        return result

    def _split(self, r: list[Any]) -> Checked:
        """(row, USCC, employer name, union id, staging row before the employer, after the
        union, what the registry is compared with): COPY text pieces on PostgreSQL, tuples on
        SQLite."""
        key = self.context.id_base + r[ROW]
        # A bulk load (id base set) compares nothing: no probe to carry between processes.
        probe = (
            None if key != r[ROW] else (r[ID_IDX], r[NAME], r[PHONE_IDX], r[JOINED], r[ID_MASKED])
        )
        if not self.context.copy_text:
            return r[ROW], r[USCC], r[EMPLOYER_NAME], r[ORG], (key, *r[1:EMPLOYER]), (
                r[JOINED], *self._constants,
            ), probe  # fmt: skip
        # Only the name is free text, its whitespace already collapsed to single spaces by
        # `clean`: a backslash is all COPY needs escaped. The rest is digits, hex, base64url,
        # masks or dates; only the employer and the join date may be NULL.
        name = r[1].replace("\\", "\\\\") if "\\" in r[1] else r[1]
        joined = _NULL if r[JOINED] is None else r[JOINED]
        head = (
            f"{key}\t{name}\t{r[2]}\t{r[3]}\t{r[4]}\t{r[5]}\t{r[6]}\t{r[7]}\t{r[8]}\t{r[9]}\t"
            f"{r[10]}\t{r[11]}\t{r[12]}\t"
        )
        return r[ROW], r[USCC], r[EMPLOYER_NAME], r[ORG], head, f"\t{joined}{self._suffix}", probe

    def finish(self, result: ChunkResult) -> ChunkResult:
        """Find the employers (one query on the importing connection) and fill in the employer
        and union of each accepted row; rows whose employer is unknown are rejected."""
        lines: list[str] = []
        rows: list[tuple[Any, ...]] = []
        probes: list[Probe] = []
        copy_text = self.context.copy_text
        base = self.context.id_base
        for row_no, employer, org, head, tail, probe in self._resolve_employers(
            result.checked, result.errors
        ):
            if copy_text:
                lines.append(f"{head}{_NULL if employer is None else employer}\t{org}{tail}")
            else:
                rows.append((*head, employer, org, *tail))
            if probe is not None:
                probes.append(
                    (base + row_no, probe[0], probe[1], probe[2], employer, org, probe[3], probe[4])
                )
        result.checked = []
        result.accepted = len(lines) + len(rows)
        result.lines, result.rows, result.probes = lines, rows, probes
        return result

    def _resolve_employers(
        self, rows: list[Checked], errors: list[RowError]
    ) -> Iterator[tuple[int, int | None, int, Any, Any, Any]]:
        """(row, employer id, union id, head, tail, probe) of each row whose employer is found (by
        USCC, or by a unique exact name in scope) or not needed. A row that named no union
        joins the employer's union, else its community union, else the importing union."""
        usccs = {row[1] for row in rows if row[1]}
        names = {row[2] for row in rows if not row[1] and row[2]}
        by_uscc: dict[str, tuple[int, int | None, int | None]] = {}
        by_name: dict[str, tuple[int, int | None, int | None] | None] = {}
        for by_name_query, key, *link in _employers(self.context.scope_path, usccs, names):
            if not by_name_query:
                by_uscc[key] = (link[0], link[1], link[2])
            else:  # a name shared by two employers in scope identifies neither
                by_name[key] = None if key in by_name else (link[0], link[1], link[2])
        default_org = self.context.default_org
        for row_no, uscc, employer_name, org, head, tail, probe in rows:
            employer = None
            if uscc or employer_name:
                employer = by_uscc.get(uscc) if uscc else by_name.get(employer_name)
                if employer is None:
                    errors.append(
                        RowError(
                            row_no,
                            "employer_uscc" if uscc else "employer_name",
                            uscc or employer_name,
                            _("No employer with this credit code or exact name in your scope."),
                        )
                    )
                    continue
            if org is None:
                org = (employer and (employer[1] or employer[2])) or default_org
                if org is None:
                    errors.append(
                        RowError(
                            row_no,
                            "org_code",
                            "",
                            _("No union given, and the employer has none: fill in the union code."),
                        )
                    )
                    continue
            yield row_no, employer[0] if employer else None, org, head, tail, probe


def _employers(scope_path: str, usccs: set[str], names: set[str]) -> Iterator[tuple[Any, ...]]:
    """(found by name?, uscc or name, id, union id, community id) of the in-scope employers with
    these codes or names, in slices that keep each query's parameter list short."""
    in_scope = Employer.objects.filter(org__path__startswith=scope_path).order_by()
    link = ("id", "union_id", "community_id")
    for by_name, values in ((False, sorted(usccs)), (True, sorted(names))):
        column = "name" if by_name else "uscc"
        for start in range(0, len(values), 5000):
            part = values[start : start + 5000]
            for key, *rest in in_scope.filter(**{f"{column}__in": part}).values_list(column, *link):
                yield (by_name, key, *rest)
