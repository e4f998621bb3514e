"""Validation stage of the member import: a chunk of parsed rows in, formatted rows and errors out.

One `ChunkValidator` call takes a chunk of raw rows (row number, original cells), normalises and
validates every row and hands back the accepted rows already formatted for the database
(PostgreSQL's binary COPY rows, `gonghui.core.pgcopy`; tuples on SQLite), in one of two forms:

- a probe (`probe=True`, the first pass of a staged import): the row's keys as the registry
  would hold them — blind indexes, name, employer, union, join date — to be compared with it in
  one query (`staging.Staging.classify`);
- a member row (the second pass, for the rows that create or change a member, SQLite's one-pass
  import and PostgreSQL's bulk load): everything, the encrypted ID number and phone and the
  pinyin keys included.

Each row's employer and union are filled in (`_filled`) by `check` itself, before the chunk goes
back, when the import handed the validator every employer in scope (`employers_in_scope`, up to
EMPLOYERS_HANDED_OVER); else by `finish` in the importing process, with one query per chunk for
the codes it has not met yet.
Nothing else needs state from earlier chunks, so chunks are validated in worker processes
(`gonghui.members.pool`) while the database works on the previous ones.

An import spends most of its Python time in `check`, which works column by column, a couple
of thousand rows at a time: every check and every piece of formatting is a `map` of a C function
(a slice, a dict lookup, a comparison, `str.join`) over a whole column, so that the usual row —
clean, and made of what the validator has seen valid before: regions, birth dates, credit codes,
union codes, join dates — costs no Python step of its own (`_accepted`; about a third less time
than a loop over the rows). A row that fails any of these checks goes through the full validator
(`_valid`), which also words the error. The ID numbers and phones are then encrypted and the rows
formatted (`_members`, `_probes`) and given their employer and union (`_filled`).
"""

import binascii
import calendar
import functools
import math
import re
import unicodedata
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from itertools import compress, repeat
from operator import add, eq, ge, itemgetter, le, mod, not_
from typing import Any

from django.utils.translation import gettext as _

from gonghui.core import pgcopy, pii
from gonghui.core.tabular import (
    Column,
    RowError,
    TextChunk,
    clean,
    columns_of,
    parse_date,
    text_chunk_columns,
)
from gonghui.core.validators import (
    ID_CHECK_CHARS,
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
# a bulk load can COPY the same rows straight into the registry.
STAGE_COLUMNS = (
    "key", "name", "name_pinyin", "name_initials", "id_number", "id_number_index", "gender",
    "birth_date", "native_region", "phone", "phone_index", "phone_masked", "employer_id",
    "org_id", "joined_on", "status", "source",
)  # fmt: skip
# The probe row of a staged import's first pass, compared with the registry (see
# staging.Staging.classify): the member's keys as the row would store them. The ID number's blind
# index comes first, so that a COPY row's first field tells its half (see HALF).
PROBE_COLUMNS = (
    "idx", "key", "name", "phone_index", "employer_id", "org_id", "joined_on", "masked",
)  # fmt: skip
# Where a large import's probes are split in two, by the first hex digit of the blind index
# (staging.Staging.classify compares each half on a connection of its own): the low half is
# below it.
HALF = "8"
_HALF_BYTE = ord(HALF)
# The hex digits of a probe's blind index in ChunkResult.keys: 8 bytes, a 64-bit integer.
KEY_DIGITS = 16

_ID_SHAPE = re.compile(r"[1-9][0-9]{16}[0-9X]")
_PHONE_SHAPE = re.compile(r"1[3-9][0-9]{9}")
_ISO_DATE = re.compile(r"[12][0-9]{3}-[01][0-9]-[0-3][0-9]")


def _weighted_sum(digits: str, start: int) -> int:
    """The weighted sum of an ID number's digits from position `start` on."""
    return sum(int(digit) * ID_WEIGHTS[start + at] for at, digit in enumerate(digits))


# The sum of each 3-digit sequence number (positions 15 to 17).
_SEQUENCE_SUMS = {f"{n:03d}": _weighted_sum(f"{n:03d}", 14) for n in range(1000)}


@functools.lru_cache(maxsize=2)
def _birth_date_sums(today: date) -> Mapping[str, int]:
    """The weighted digit sum (positions 7 to 14) of every plausible birth date, YYYYMMDD from
    1900-01-01 to today: about 46 000, made once per process (~20 ms) so that no row's ID
    number leaves the fast path for a birth date not met before."""
    last = today.strftime("%Y%m%d")
    months = [(f"{m:02d}", _weighted_sum(f"{m:02d}", 10)) for m in range(1, 13)]
    days = [(f"{d:02d}", _weighted_sum(f"{d:02d}", 12)) for d in range(1, 32)]
    sums = {}
    for year in range(1900, today.year + 1):
        digits, year_sum = f"{year:04d}", _weighted_sum(f"{year:04d}", 6)
        for month, month_sum in months:
            length = calendar.monthrange(year, int(month))[1]
            for day, day_sum in days[:length]:
                sums[f"{digits}{month}{day}"] = year_sum + month_sum + day_sum
    return {born: total for born, total in sums.items() if born <= last}


@functools.lru_cache(maxsize=1 << 18)
def _name_fields(name: str) -> bytes:
    """A name's COPY fields: the name, its pinyin and its initials. Names repeat: as many are
    kept as `name_keys` keeps, whose own cache a name met here for the first time skips."""
    return b"".join(map(pgcopy.text, (name, *name_keys.__wrapped__(name))))


def _iso_date(digits: str) -> str:
    """YYYYMMDD → YYYY-MM-DD."""
    return f"{digits[:4]}-{digits[4:6]}-{digits[6:]}"


# What `clean` collapses: every character str.split() splits on (str.isspace). In CSV text
# without quotes, line ends only end records, so there they do not count.
_SPACES = (
    "\t\x0b\x0c\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
    "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_SPACE_IN_TEXT = tuple(_SPACES)
# The first byte of each one's UTF-8 spelling: an ASCII byte, or C2, E1, E2 or E3.
_SPACE_LEAD_BYTES = tuple({space.encode()[:1] for space in _SPACES})
_SPACE_IN_CELLS = ("\n", "\r", *_SPACES)

# Parts of a row, a value or an ID number, taken by `map` with no Python step per row.
_FIRST, _SECOND = itemgetter(0), itemgetter(1)
_REGION, _BIRTH, _BIRTH_YEAR = (
    itemgetter(slice(6)),
    itemgetter(slice(6, 14)),
    itemgetter(slice(6, 10)),
)
_SEQUENCE, _SEX_DIGIT, _CHECK = (
    itemgetter(slice(14, 17)),
    itemgetter(16),
    itemgetter(slice(17, None)),
)
_TAIL, _KEY = itemgetter(slice(14, None)), itemgetter(slice(KEY_DIGITS))
# A probe's COPY row: its field count (2 bytes) and the blind index's length (4), then the
# blind index, whose first hex digit tells the row's half and first KEY_DIGITS its key.
_PROBE_LEAD, _PROBE_KEY = itemgetter(6), itemgetter(slice(6, 6 + KEY_DIGITS))
_PROBE_ROW = pgcopy.row_start(len(PROBE_COLUMNS))
_EMPLOYER_NAME = itemgetter(slice(200))
# The check character of each weighted sum mod 11; none of a NaN sum's (an unknown part).
_CHECK_CHARS_BY_SUM = dict(enumerate(ID_CHECK_CHARS))
_GENDERS = {digit: "male" if int(digit) % 2 else "female" for digit in "0123456789"}
_NAME_LENGTHS = range(1, 51)
_PHONE_OR_NONE = re.compile(r"(?:1[3-9][0-9]{9})?").fullmatch
_UNKNOWN_JOIN = (None, "")  # a join date not met before: no birth year is early enough


def _is_clean(text: str, spaces: tuple[str, ...], utf8: bytes = b"") -> bool:
    """`clean` would return every cell of this text unchanged: no whitespace, and NFKC already.
    A search for each character is a quarter of a regular expression's character class. Given
    the text's UTF-8 bytes (`utf8`), no byte that starts a character of _SPACES (`spaces` must
    hold no other) tells at once that none is there: a byte is searched for twenty times faster
    than a character, and Chinese characters start with none of those bytes."""
    none_by_bytes = bool(utf8) and not any(map(utf8.__contains__, _SPACE_LEAD_BYTES))
    if not none_by_bytes and any(map(text.__contains__, spaces)):
        return False
    return text.isascii() or unicodedata.is_normalized("NFKC", text)


class _Reject(Exception):
    def __init__(self, column: str, value: str, reason: str) -> None:
        self.column, self.value, self.reason = column, value, reason


# Validated rows between `check` and `finish`, in file order, column by column: row numbers, the
# formatted rows before the employer, after the union, and what `finish` looks the employer and
# union up by: (USCC, employer name, union id or None).
Link = tuple[str, str, int | None]
Checked = tuple[list[int], list[list[Any]], list[list[Any]], list[Link]]
# A validated row's values: name, ID number, phone, USCC, employer name, union id, ISO join date.
Valid = tuple[str, str, str, str, str, int | None, str | None]
EmployerLink = tuple[int, int | None, int | None]  # employer id, its union, its community union


@dataclass
class ChunkResult:
    count: int = 0  # rows read, accepted or not
    records: int = 0  # records of a TextChunk, blank ones included
    accepted: int = 0
    # PostgreSQL: the accepted rows in binary COPY format (gonghui.core.pgcopy), with no header.
    copy: bytes = b""
    high: bytes = b""  # the probes of the high half, when split (HALF); `copy` has the low half
    rows: list[tuple[Any, ...]] = field(default_factory=list)  # SQLite: the accepted rows
    checked: Checked = field(default_factory=lambda: ([], [], [], []))
    errors: list[RowError] = field(default_factory=list)
    finished: bool = False  # employers and unions filled in (`_filled`): by `check` or `finish`
    probes: bool = False  # `copy` (and `rows`) hold probes, else member rows
    # Probes: the first 8 bytes of each one's ID number blind index, for the importing
    # process's check that no ID number repeats across chunks (staging.RepeatCheck).
    keys: bytes = b""


@dataclass(frozen=True)
class ImportContext:
    """What validation needs to know about the import; plain data, so it crosses processes."""

    scope_path: str
    orgs: Mapping[str, tuple[int, str]]  # code → (id, kind) of the unions in the scope
    default_org: int | None  # the importing union, when it holds members itself
    today: date
    fields: Mapping[str, int]  # field → position of its column in the file
    binary_copy: bool  # PostgreSQL binary COPY rows, else tuples
    id_base: int = 0
    delimiter: str = ","  # of a CSV file's TextChunks
    halves: bool = False  # split the COPY probes in two halves (`ChunkResult.high`)
    # Every employer in scope by USCC and by name (None for a name two share), when there are
    # few enough to hand to the workers (see employers_in_scope): then they finish their rows
    # themselves, with no employer left to look up.
    employers: tuple[dict[str, EmployerLink | None], dict[str, EmployerLink | None]] | None = None


@dataclass
class _Accepted:
    """The accepted rows of a chunk, column by column, in file order."""

    numbers: list[int]
    names: list[str]
    ids: list[str]
    id_indexes: list[str]
    phones: list[str]
    phone_indexes: list[str]
    joined_on: list[str | None]
    links: list[Link]

    def columns(self) -> list[list[Any]]:
        return [getattr(self, f.name) for f in fields(self)]


_BATCH_ROWS = 2000  # rows checked and formatted at a time (see ChunkValidator.check)


class ChunkValidator:
    """Validates chunks of one import. Build one per import (or per worker process)."""

    def __init__(self, context: ImportContext) -> None:
        self.context = context
        self.today = context.today
        vault = pii.vault()
        self.seal_all = vault.seal_all
        self.index_id = vault.indexer("id_number")
        self.index_phone = vault.indexer("phone")
        positions = [context.fields.get(c.field, -1) for c in MEMBER_COLUMNS]
        self.width = max(positions) + 1
        # Each of the seven values' cell position, None for a column the file lacks.
        self._positions = [position if position >= 0 else None for position in positions]
        # The weighted digit sums (see _weighted_sum) of the regions of the valid ID numbers met
        # so far and of the birth dates: `_accepted` checks an ID number of known parts by them.
        self._region_sums: dict[str, int] = {}
        self._birth_sums = _birth_date_sums(context.today)  # every plausible birth date's
        self._born = pgcopy.Memo(_iso_date)  # YYYYMMDD → YYYY-MM-DD
        # COPY fields of values that repeat across rows, made once: birth dates (YYYYMMDD), join
        # dates (ISO or None), regions, genders (by the ID number's 17th digit).
        self._born_fields: pgcopy.Memo[str, bytes] = pgcopy.Memo(
            lambda born: pgcopy.iso_date(_iso_date(born))
        )
        self._joined_fields = pgcopy.Memo(pgcopy.iso_date)
        self._region_fields = pgcopy.Memo(pgcopy.text)
        self._gender_fields: pgcopy.Memo[str, bytes] = pgcopy.Memo(
            lambda digit: pgcopy.text(_GENDERS[digit])
        )
        # Outcomes of checks that repeat across rows (see _cached), and the good ones alone,
        # which `_accepted` looks its rows up in; an empty cell is good there.
        self._usccs: dict[str, Any] = {}
        self._orgs: dict[str, Any] = {}
        self._joined: dict[str, Any] = {}
        self._good_usccs: dict[str, str] = {"": ""}
        self._good_orgs: dict[str, int | None] = {"": None}
        self._good_joined: dict[str, tuple[str | None, str]] = {"": (None, "9999")}
        # Employers by USCC and by name: found so far by `finish` in the importing process, or
        # every one in scope, handed over with the context.
        self._by_uscc: dict[str, EmployerLink | None] = {}
        self._by_name: dict[str, EmployerLink | None] = {}
        self.knows_every_employer = context.employers is not None
        if context.employers is not None:
            self._by_uscc, self._by_name = context.employers
        self._links: dict[Link, Any] = {}  # see _filled
        self._constants = ("active", "import")
        self._constant_fields = b"".join(map(pgcopy.text, self._constants))

    # --- one row ---

    def _id_number(self, raw: str) -> str:
        """The canonical ID number; its region's digit sum is remembered for `_accepted`'s
        fast path (every plausible birth date's is known beforehand). A clean one is checked in
        two C calls: the check digit's weights are 2^17 … 2^1 mod 11 (ISO 7064 MOD 11-2), and
        13 ≡ 2 (mod 11), so the weighted sum is twice the 17 digits read as a base-13 number,
        mod 11."""
        number = raw[:17] + "X" if len(raw) == 18 and raw[17] == "x" else raw
        if not (
            _ID_SHAPE.fullmatch(number)
            and number[:2] in PROVINCE_PREFIXES
            and number[6:14] in self._birth_sums  # a plausible birth date
            and ID_CHECK_CHARS[2 * int(number[:17], 13) % 11] == number[17]
        ):
            try:
                number = normalize_id_number(raw, today=self.today)
            except InvalidValue as exc:
                raise _Reject("id_number", pii.mask_id_number(raw), str(exc)) from None
        self._region_sums[number[:6]] = _weighted_sum(number[:6], 0)
        return number

    @staticmethod
    def _cached(
        cache: dict[str, Any], good: dict[str, Any], key: str, check: Callable[[str], Any]
    ) -> Any:
        """`check(key)`, remembered per import: values repeat across rows, and so do their
        errors (a remembered _Reject is raised again); the good outcomes also go to `good`."""
        outcome = cache.get(key)
        if outcome is None:
            try:
                outcome = good[key] = check(key)
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

    def _check_joined_on(self, raw: str) -> tuple[str, str]:
        """(ISO date, the latest birth year of a member who joined that day at 16 or older) of a
        join date as typed (any accepted spelling), not in the future."""
        try:
            joined = date.fromisoformat(raw) if _ISO_DATE.fullmatch(raw) else parse_date(raw)
        except ValueError:
            raise _Reject("joined_on", raw, _("Not a date; write it as 2024-03-05.")) from None
        if joined > self.today:
            raise _Reject("joined_on", raw, _("The date is in the future."))
        return joined.isoformat(), f"{joined.year - 16:04d}"

    def _valid(self, values: Sequence[str]) -> Valid:
        """A row's cleaned values, validated and normalised; raises _Reject."""
        name, raw_id, phone, employer_name, uscc, org_code, raw_joined = values
        if not name:
            raise _Reject("name", name, _("This field is required."))
        if len(name) > 50:
            raise _Reject("name", name, _("Longer than %(limit)d characters.") % {"limit": 50})
        id_number = self._id_number(raw_id)
        if phone and not _PHONE_SHAPE.fullmatch(phone):
            try:
                phone = normalize_mobile(phone)
            except InvalidValue as exc:
                raise _Reject("phone", pii.mask_phone(phone), str(exc)) from None
        if uscc:
            uscc = self._cached(self._usccs, self._good_usccs, uscc, self._check_uscc)
        org_id = None
        if org_code:
            org_id = self._cached(self._orgs, self._good_orgs, org_code, self._check_org)
        joined = None
        if raw_joined:
            joined, latest_birth_year = self._cached(
                self._joined, self._good_joined, raw_joined, self._check_joined_on
            )
            if id_number[6:10] > latest_birth_year:  # four digits each: compared as text
                raise _Reject(
                    "joined_on", raw_joined, _("The member would have joined before the age of 16.")
                )
        return name, id_number, phone, uscc, employer_name[:200], org_id, joined

    # --- one chunk ---

    def check(
        self,
        chunk: Sequence[tuple[int, list[str]]] | TextChunk,
        *,
        probe: bool = False,
        wanted: Collection[int] | None = None,
    ) -> ChunkResult:
        """Validate every row of the chunk (only the `wanted` row numbers, if given) and format
        it — a probe or a member row, see the module's docstring. No database access: this runs
        in worker processes. A validator that knows every employer (`knows_every_employer`)
        fills in each row's employer and union as it goes; else `finish` does, in the importing
        process."""
        if isinstance(chunk, TextChunk):
            utf8 = chunk.data if chunk.encoding == "utf-8" else b""
            chunk = chunk.decoded()
            numbers, cells, records = text_chunk_columns(chunk, self.context.delimiter, self.width)
            # Usually no cell of the whole chunk needs `clean`, which costs more than the rest
            # of a row's checks.
            text = chunk.text
            quoted = '"' in text
            clean_text = not quoted and _is_clean(text, _SPACE_IN_TEXT, utf8)
            spaces = None if clean_text else _SPACE_IN_CELLS
        else:
            numbers, rows, records = list(map(_FIRST, chunk)), list(map(_SECOND, chunk)), 0
            cells = columns_of(rows, self.width)
            cells_text = "".join(map("".join, rows))
            spaces = None if _is_clean(cells_text, _SPACE_IN_CELLS) else _SPACE_IN_CELLS
        result = ChunkResult(count=len(numbers), records=records, probes=probe)
        lines: list[Any] = []
        first: dict[str, int] = {}  # the first row of each ID number's index in the chunk
        # A few thousand rows at a time: each column is gone over a dozen times, best while its
        # values are still in the processor's cache (~8 % faster than a whole chunk at once).
        for start in range(0, len(numbers), _BATCH_ROWS):
            end = start + _BATCH_ROWS
            batch = [column[start:end] for column in cells]
            accepted = self._accepted(
                numbers[start:end], batch, result.errors, wanted, spaces, first
            )
            heads, tails = self._probes(accepted) if probe else self._members(accepted)
            if self.knows_every_employer:
                lines += self._filled(result.errors, accepted.numbers, heads, tails, accepted.links)
            else:  # kept column by column for `finish`
                so_far = result.checked
                so_far[0].extend(accepted.numbers)
                so_far[3].extend(accepted.links)
                for kept, columns in ((so_far[1], heads), (so_far[2], tails)):
                    if not kept:
                        kept.extend([] for _column in columns)
                    for column, more in zip(kept, columns, strict=True):
                        column.extend(more)
        if self.knows_every_employer:
            self._finish(result, lines)
        return result

    def _accepted(
        self,
        numbers: list[int],
        cells: list[list[str]],  # the file's columns, `width` of them at least
        errors: list[RowError],
        wanted: Collection[int] | None,
        spaces: tuple[str, ...] | None,
        first: dict[str, int] | None = None,
    ) -> "_Accepted":
        """The rows that pass validation, column by column, with their blind indexes. Every
        check is made on whole columns at once, with no Python step per row (`map` of C
        functions): a row whose every check this validator has made before — the usual row —
        is taken as it is; any other goes through `_valid`, which also words the error."""
        # The seven values (MEMBER_COLUMNS), column by column, cleaned where the chunk is not
        # clean already.
        count = len(numbers)
        columns: list[list[str]] = [
            cells[at] if at is not None else [""] * count for at in self._positions
        ]
        if wanted is not None:
            chosen = list(map(wanted.__contains__, numbers))
            numbers = list(compress(numbers, chosen))
            columns = [list(compress(column, chosen)) for column in columns]
        if not numbers:
            return _Accepted([], [], [], [], [], [], [], [])
        if spaces is not None:
            cleaned = [
                row if _is_clean("".join(row), spaces) else tuple(map(clean, row))
                for row in zip(*columns, strict=True)
            ]
            columns = [list(column) for column in zip(*cleaned, strict=True)]
        names, ids, phones, employer_names, usccs, org_codes, joined = columns
        regions, births = list(map(_REGION, ids)), list(map(_BIRTH, ids))
        region_sums, birth_sums, good_joined = (
            self._region_sums,
            self._birth_sums,
            self._good_joined,
        )
        # An ID number is on the fast path when its region and birth date are those of a valid
        # one met before and its sequence is three digits: then the sum of the three parts' sums
        # gives its check character. An unknown part's sum is NaN, and so is the whole: no check
        # character; nor does a number longer than 18 characters end in one.
        unknown = repeat(math.nan)
        check_sums = map(
            add,
            map(add, map(region_sums.get, regions, unknown), map(birth_sums.get, births, unknown)),
            map(_SEQUENCE_SUMS.get, map(_SEQUENCE, ids), unknown),
        )
        joins = list(map(good_joined.get, joined, repeat(_UNKNOWN_JOIN)))
        checks = [
            list(map(_NAME_LENGTHS.__contains__, map(len, names))),
            list(
                map(
                    eq,
                    map(_CHECK_CHARS_BY_SUM.get, map(mod, check_sums, repeat(11))),
                    map(_CHECK, ids),
                )
            ),
            list(map(_PHONE_OR_NONE, phones)),
            list(map(self._good_usccs.__contains__, usccs)),
            list(map(self._good_orgs.__contains__, org_codes)),
            list(map(le, map(_BIRTH_YEAR, ids), map(_SECOND, joins))),
        ]
        names, ids, phones = list(names), list(ids), list(phones)
        codes: list[Any] = list(map(self._good_usccs.get, usccs))  # None: on a slow row
        employer_names = list(map(_EMPLOYER_NAME, employer_names))
        org_ids = list(map(self._good_orgs.get, org_codes))
        joined_on = list(map(_FIRST, joins))
        if not all(map(all, checks)):
            keep = list(map(all, zip(*checks, strict=True)))
            for at in list(compress(range(len(keep)), map(not_, keep))):
                values = [column[at] for column in columns]
                try:
                    valid = self._valid(values)
                except _Reject as exc:
                    errors.append(RowError(numbers[at], exc.column, exc.value[:200], exc.reason))
                    continue
                keep[at] = True
                (names[at], ids[at], phones[at], codes[at], employer_names[at], org_ids[at],
                 joined_on[at]) = valid  # fmt: skip
            numbers, names, ids, phones, codes, employer_names, org_ids, joined_on = (
                list(compress(column, keep))
                for column in (
                    numbers,
                    names,
                    ids,
                    phones,
                    codes,
                    employer_names,
                    org_ids,
                    joined_on,
                )
            )
        id_indexes = list(map(self.index_id, ids))
        accepted = _Accepted(
            numbers, names, ids, id_indexes, phones, [], joined_on,
            list(zip(codes, employer_names, org_ids, strict=True)),
        )  # fmt: skip
        first = {} if first is None else first
        if len(set(id_indexes)) < len(id_indexes) or not first.keys().isdisjoint(id_indexes):
            accepted = self._without_repeats(accepted, errors, first)
        else:
            first.update(zip(id_indexes, accepted.numbers, strict=True))
        present = list(set(filter(None, accepted.phones)))
        phone_indexes = dict(zip(present, map(self.index_phone, present), strict=True))
        phone_indexes[""] = ""
        accepted.phone_indexes = list(map(phone_indexes.__getitem__, accepted.phones))
        return accepted

    @staticmethod
    def _without_repeats(
        accepted: "_Accepted", errors: list[RowError], first: dict[str, int]
    ) -> "_Accepted":
        """The rows but those whose ID number the chunk has on an earlier row (`first`: each
        index's first row so far), which are refused."""
        repeated = _("The same ID number is already on row %(row)d of this file.")
        keep = []
        for number, id_number, id_index in zip(
            accepted.numbers, accepted.ids, accepted.id_indexes, strict=True
        ):
            earlier = first.setdefault(id_index, number)
            keep.append(earlier == number)
            if earlier != number:
                masked = pii.mask_id_number(id_number)
                errors.append(RowError(number, "id_number", masked, repeated % {"row": earlier}))
        return _Accepted(*(list(compress(column, keep)) for column in accepted.columns()))

    def _probes(self, accepted: "_Accepted") -> tuple[list[list[Any]], list[list[Any]]]:
        """The columns of PROBE_COLUMNS rows before the employer, and after the union."""
        ids = accepted.ids
        # pii.mask_id_number of an 18-character number (every accepted one), without a Python
        # call a row; test_import holds the two to the same result.
        masks = map(add, map(add, map(_REGION, ids), repeat("********")), map(_TAIL, ids))
        if not self.context.binary_copy:
            heads: list[list[Any]] = [accepted.id_indexes, accepted.numbers, accepted.names]
            heads.append(accepted.phone_indexes)
            return heads, [accepted.joined_on, list(masks)]
        heads = [
            [_PROBE_ROW] * len(ids),
            *pgcopy.texts(accepted.id_indexes),
            pgcopy.bigints(accepted.numbers),
            *pgcopy.texts(accepted.names),
            *pgcopy.texts(accepted.phone_indexes),
        ]
        joined = list(map(self._joined_fields.__getitem__, accepted.joined_on))
        return heads, [joined, *pgcopy.texts(masks)]

    def _members(self, accepted: "_Accepted") -> tuple[list[list[Any]], list[list[Any]]]:
        """The columns of STAGE_COLUMNS rows before the employer, and after the union: the ID
        numbers and phones encrypted a chunk at a time (`Vault.seal_all`)."""
        ids, phones, count = accepted.ids, accepted.phones, len(accepted.ids)
        sealed_phones = iter(self.seal_all(list(filter(None, phones))))
        keys = list(map(add, accepted.numbers, repeat(self.context.id_base)))
        sealed_ids = self.seal_all(ids)
        phone_tokens = [next(sealed_phones) if phone else "" for phone in phones]
        # pii.mask_phone of an 11-digit phone (every accepted one), spelt out on this hot path;
        # test_import holds the two to the same result.
        phone_masks = [phone[:3] + "****" + phone[7:] if phone else "" for phone in phones]
        if not self.context.binary_copy:
            names = list(map(name_keys, accepted.names))
            heads = [
                keys,
                accepted.names,
                list(map(_FIRST, names)),
                list(map(_SECOND, names)),
                sealed_ids,
                accepted.id_indexes,
                list(map(_GENDERS.__getitem__, map(_SEX_DIGIT, ids))),
                list(map(self._born.__getitem__, map(_BIRTH, ids))),
                list(map(_REGION, ids)),
                phone_tokens,
                accepted.phone_indexes,
                phone_masks,
            ]
            constants = [[constant] * count for constant in self._constants]
            return heads, [accepted.joined_on, *constants]
        heads = [
            pgcopy.rows_of_bigints(len(STAGE_COLUMNS), keys),
            list(map(_name_fields, accepted.names)),  # and the pinyin keys
            *pgcopy.texts(sealed_ids),
            *pgcopy.texts(accepted.id_indexes),
            list(map(self._gender_fields.__getitem__, map(_SEX_DIGIT, ids))),
            list(map(self._born_fields.__getitem__, map(_BIRTH, ids))),
            list(map(self._region_fields.__getitem__, map(_REGION, ids))),
            *pgcopy.texts(phone_tokens),
            *pgcopy.texts(accepted.phone_indexes),
            *pgcopy.texts(phone_masks),
        ]
        joined = list(map(self._joined_fields.__getitem__, accepted.joined_on))
        return heads, [joined, [self._constant_fields] * count]

    def finish(self, result: ChunkResult) -> ChunkResult:
        """Complete a chunk `check` left unfinished: find its employers (one query on the
        importing connection) and fill in each row's employer and union (`_filled`)."""
        if result.finished:
            return result
        numbers, heads, tails, links = result.checked
        self._find_employers(set(links))
        result.checked = ([], [], [], [])
        self._finish(result, self._filled(result.errors, numbers, heads, tails, links))
        return result

    def _filled(
        self,
        errors: list[RowError],
        numbers: list[int],
        heads: list[list[Any]],
        tails: list[list[Any]],
        links: list[Link],
    ) -> list[Any]:
        """Each checked row with its employer and union between its head and tail; rows whose
        employer is unknown are rejected. Each (USCC, employer name, union)'s outcome — the text
        between head and tail, or its error — is worked out once per import. Rows stay in file
        order: a bulk load's member ids then grow row by row, and PostgreSQL appends each to the
        primary key's last page (a quarter smaller, and its `COPY` some 15 % faster, than in
        any other order)."""
        known = self._links
        for key in set(links).difference(known):
            known[key] = self._link(*key)
        middles = list(map(known.__getitem__, links))
        binary_copy = self.context.binary_copy
        found = list(map(isinstance, middles, repeat(bytes if binary_copy else tuple)))
        if not all(found):
            for number, refused in compress(zip(numbers, middles, strict=True), map(not_, found)):
                errors.append(RowError(number, refused.column, refused.value, refused.reason))
            heads, tails = (
                [list(compress(column, found)) for column in part] for part in (heads, tails)
            )
            middles = list(compress(middles, found))
        if binary_copy:  # the employer's and the union's fields between the head's and the tail's
            return list(map(b"".join, zip(*heads, middles, *tails, strict=True)))
        employers, unions = map(_FIRST, middles), map(_SECOND, middles)
        return list(zip(*heads, employers, unions, *tails, strict=True))

    def _finish(self, result: ChunkResult, lines: list[Any]) -> None:
        """The chunk's filled rows into its result: COPY rows (in two halves, for probes that
        are split) or tuples."""
        binary_copy = self.context.binary_copy
        result.accepted = len(lines)
        if result.probes:  # the blind index leads every probe (PROBE_COLUMNS)
            if binary_copy:
                result.keys = binascii.unhexlify(b"".join(map(_PROBE_KEY, lines)))
            else:
                result.keys = bytes.fromhex("".join(map(_KEY, map(_FIRST, lines))))
        if not binary_copy:
            result.rows = lines
        else:
            if result.probes and self.context.halves:
                high = list(map(ge, map(_PROBE_LEAD, lines), repeat(_HALF_BYTE)))
                result.high = b"".join(compress(lines, high))
                lines = list(compress(lines, map(not_, high)))
            result.copy = b"".join(lines)
        result.finished = True

    def _find_employers(self, links: Collection[Link]) -> None:
        """Look up the employers of these links not met before: by USCC, or by a unique exact
        name in scope."""
        by_uscc, by_name = self._by_uscc, self._by_name
        usccs = {uscc for uscc, _name, _org in links if uscc and uscc not in by_uscc}
        names = {name for uscc, name, _org in links if not uscc and name and name not in by_name}
        for uscc in usccs:
            by_uscc[uscc] = None
        for name in names:
            by_name[name] = None
        named: set[str] = set()
        for by_name_query, key, *link in _employers(self.context.scope_path, usccs, names):
            if not by_name_query:
                by_uscc[key] = (link[0], link[1], link[2])
            else:  # a name shared by two employers in scope identifies neither
                by_name[key] = None if key in named else (link[0], link[1], link[2])
                named.add(key)

    def _link(self, uscc: str, employer_name: str, org: int | None) -> Any:
        """What goes between a row's head and tail — the employer's and the union's COPY fields,
        the pair as a tuple otherwise — or the _Reject of a row whose employer is unknown. A row
        that named no union joins the employer's union, else its community union, else the
        importing union."""
        employer = None
        if uscc or employer_name:
            employer = self._by_uscc.get(uscc) if uscc else self._by_name.get(employer_name)
            if employer is None:
                return _Reject(
                    "employer_uscc" if uscc else "employer_name",
                    uscc or employer_name,
                    _("No employer with this credit code or exact name in your scope."),
                )
        if org is None:
            org = (employer and (employer[1] or employer[2])) or self.context.default_org
            if org is None:
                return _Reject(
                    "org_code",
                    "",
                    _("No union given, and the employer has none: fill in the union code."),
                )
        employer_id = employer[0] if employer else None
        if not self.context.binary_copy:
            return (employer_id, org)
        return pgcopy.bigint(employer_id) + pgcopy.bigint(org)


# Up to this many employers in scope are handed to the workers whole (~300 bytes each in every
# process); a larger scope has them looked up per chunk by the importing process.
EMPLOYERS_HANDED_OVER = 100_000


def employers_in_scope(
    scope_path: str,
) -> tuple[dict[str, EmployerLink | None], dict[str, EmployerLink | None]] | None:
    """Every employer in scope by USCC and by exact name — a name two employers share finds
    neither, as in `finish` — or None for a scope with more than EMPLOYERS_HANDED_OVER."""
    in_scope = Employer.objects.filter(org__path__startswith=scope_path).order_by()
    if in_scope.count() > EMPLOYERS_HANDED_OVER:
        return None
    by_uscc: dict[str, EmployerLink | None] = {}
    by_name: dict[str, EmployerLink | None] = {}
    for uscc, name, *link in in_scope.values_list("uscc", "name", "id", "union_id", "community_id"):
        employer = (link[0], link[1], link[2])
        by_uscc[uscc] = employer
        by_name[name] = None if name in by_name else employer
    return by_uscc, by_name


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
