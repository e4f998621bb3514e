"""Validation stage of the member import: a chunk of parsed rows in, formatted rows and errors out.

One `ChunkValidator` call takes a chunk of raw rows (row number, original cells), normalises and
validates every row and hands back the accepted rows already formatted for the database (COPY
text on PostgreSQL, tuples on SQLite), in one of two forms:

- a probe (`probe=True`, the first pass of a staged import): the row's keys as the registry
  would hold them — blind indexes, name, employer, union, join date — to be compared with it in
  one query (`staging.Staging.classify`);
- a member row (the second pass, for the rows that create or change a member, SQLite's one-pass
  import and PostgreSQL's bulk load): everything, the encrypted ID number and phone and the
  pinyin keys included.

Each row's employer and union are filled in (`_fill`) by `check` itself, before the chunk goes
back, when the import handed the validator every employer in scope (`employers_in_scope`, up to
EMPLOYERS_HANDED_OVER); else by `finish` in the importing process, with one query per chunk for
the codes it has not met yet.
Nothing else needs state from earlier chunks, so chunks are validated in worker processes
(`gonghui.members.pool`) while the database works on the previous ones.

An import spends most of its Python time in `check`: the usual, already clean row is taken in
one loop on caches of what repeats across rows (regions, birth dates, credit codes, union codes,
join dates; `_accepted`), anything else goes through the full validator, which also words the
error; the rows are then encrypted and formatted a chunk at a time (`_members`, `_probes`).
"""

import re
import unicodedata
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from operator import itemgetter
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
# a bulk load can COPY the same text straight into the registry.
STAGE_COLUMNS = (
    "key", "name", "name_pinyin", "name_initials", "id_number", "id_number_index", "gender",
    "birth_date", "native_region", "phone", "phone_index", "phone_masked", "employer_id",
    "org_id", "joined_on", "status", "source",
)  # fmt: skip
# The probe row of a staged import's first pass, compared with the registry (see
# staging.Staging.classify): the member's keys as the row would store them. The ID number's blind
# index comes first, so that a COPY text line's first character tells its half (see HALF).
PROBE_COLUMNS = (
    "idx", "key", "name", "phone_index", "employer_id", "org_id", "joined_on", "masked",
)  # fmt: skip
# Where a large import's probes are split in two, by the first hex digit of the blind index
# (staging.Staging.classify compares each half on a connection of its own): the low half is
# below it.
HALF = "8"
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
_NULL = "\\N"  # COPY text's NULL
_BACKSLASH, _ESCAPED = "\\", "\\\\"  # COPY text's escape character, escaped
# What `clean` collapses: every character str.split() splits on (str.isspace). In CSV text
# without quotes, line ends only end records, so there they do not count.
_SPACES = (
    "\t\x0b\x0c\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
    "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_SPACE_IN_TEXT = tuple(_SPACES)
_SPACE_IN_CELLS = ("\n", "\r", *_SPACES)


def _is_clean(text: str, spaces: tuple[str, ...]) -> bool:
    """`clean` would return every cell of this text unchanged: no whitespace, and NFKC already.
    A search for each character is a quarter of a regular expression's character class."""
    return not any(map(text.__contains__, spaces)) and (
        text.isascii() or unicodedata.is_normalized("NFKC", text)
    )


class _Reject(Exception):
    def __init__(self, column: str, value: str, reason: str) -> None:
        self.column, self.value, self.reason = column, value, reason


# Validated rows between `check` and `finish`, in file order: (row, the formatted row before the
# employer, after the union, what `finish` looks the employer and union up by: (USCC, employer
# name, union id or None)).
Link = tuple[str, str, int | None]
Checked = list[tuple[int, Any, Any, Link]]
# A validated row's values: name, ID number, phone, USCC, employer name, union id, ISO join date.
Valid = tuple[str, str, str, str, str, int | None, str | None]
# An accepted row on its way to `_probes` or `_members`: row number, name, ID number, its index,
# its mask, phone, its index, ISO join date, what its employer and union are found by.
Accepted = tuple[int, str, str, str, str, str, str, str | None, Link]
EmployerLink = tuple[int, int | None, int | None]  # employer id, its union, its community union


@dataclass
class ChunkResult:
    count: int = 0  # rows read, accepted or not
    records: int = 0  # records of a TextChunk, blank ones included
    accepted: int = 0
    # PostgreSQL: the accepted rows as COPY text, in UTF-8 (bytes cross from a worker process and
    # go to the database as they are; a str would be encoded and decoded on the way).
    copy: bytes = b""
    high: bytes = b""  # the probes of the high half, when split (HALF); `copy` has the low half
    rows: list[tuple[Any, ...]] = field(default_factory=list)  # SQLite: the accepted rows
    checked: Checked = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    finished: bool = False  # employers and unions filled in (`_fill`): by `check` or `finish`
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
    copy_text: bool  # PostgreSQL COPY text, else tuples
    id_base: int = 0
    delimiter: str = ","  # of a CSV file's TextChunks
    halves: bool = False  # split the COPY text probes in two halves (`ChunkResult.high`)
    # Every employer in scope by USCC and by name (None for a name two share), when there are
    # few enough to hand to the workers (see employers_in_scope): then they finish their rows
    # themselves, with no employer left to look up.
    employers: tuple[dict[str, EmployerLink | None], dict[str, EmployerLink | None]] | None = None


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
        # The seven values of a row in one C call; a column the file lacks picks the empty cell
        # appended to its rows (index -1).
        self._pick = itemgetter(*positions)
        self._pad = [""] if -1 in positions else []
        self._dates: dict[str, bool] = {}  # YYYYMMDD → a plausible birth date
        # The weighted digit sums (see _weighted_sum) of the regions and birth dates of the valid
        # ID numbers met so far: `_accepted` checks an ID number made of known parts by them.
        self._region_sums: dict[str, int] = {}
        self._birth_sums: dict[str, int] = {}
        # Outcomes of checks that repeat across rows (see _cached).
        self._usccs: dict[str, Any] = {}
        self._orgs: dict[str, Any] = {}
        self._joined: dict[str, Any] = {}
        # Employers by USCC and by name: found so far by `finish` in the importing process, or
        # every one in scope, handed over with the context.
        self._by_uscc: dict[str, EmployerLink | None] = {}
        self._by_name: dict[str, EmployerLink | None] = {}
        self.knows_every_employer = context.employers is not None
        if context.employers is not None:
            self._by_uscc, self._by_name = context.employers
        self._links: dict[Link, Any] = {}  # see finish
        self._constants = ("active", "import")
        self._suffix = "".join(f"\t{value}" for value in self._constants) + "\n"

    # --- one row ---

    def _id_number(self, raw: str) -> str:
        """The canonical ID number; its region's and birth date's digit sums are remembered
        for `_accepted`'s fast path. A clean one is checked in two C calls: the check digit's
        weights are 2^17 … 2^1 mod 11 (ISO 7064 MOD 11-2), and 13 ≡ 2 (mod 11), so the weighted
        sum is twice the 17 digits read as a base-13 number, mod 11."""
        number = raw[:17] + "X" if len(raw) == 18 and raw[17] == "x" else raw
        if not (
            _ID_SHAPE.fullmatch(number)
            and number[:2] in PROVINCE_PREFIXES
            and self._birth_plausible(number[6:14])
            and ID_CHECK_CHARS[2 * int(number[:17], 13) % 11] == number[17]
        ):
            try:
                number = normalize_id_number(raw, today=self.today)
            except InvalidValue as exc:
                raise _Reject("id_number", pii.mask_id_number(raw), str(exc)) from None
        self._region_sums[number[:6]] = _weighted_sum(number[:6], 0)
        self._birth_sums[number[6:14]] = _weighted_sum(number[6:14], 6)
        return number

    def _birth_plausible(self, digits: str) -> bool:
        plausible = self._dates.get(digits)
        if plausible is None:
            plausible = self._dates[digits] = self._plausible_birth(digits)
        return plausible

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
        """A row's cleaned values, validated and normalised; raises _Reject. The checks that
        repeat across rows look in their cache first (a remembered refusal is no `str`, `int` or
        `tuple` and goes through `_cached`, which raises it again)."""
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
            code = self._usccs.get(uscc)
            uscc = code if type(code) is str else self._cached(self._usccs, uscc, self._check_uscc)
        org_id = None
        if org_code:
            org_id = self._orgs.get(org_code)
            if type(org_id) is not int:
                org_id = self._cached(self._orgs, org_code, self._check_org)
        joined = None
        if raw_joined:
            checked = self._joined.get(raw_joined)
            if type(checked) is not tuple:
                checked = self._cached(self._joined, raw_joined, self._check_joined_on)
            joined, latest_birth_year = checked
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
            rows, records = parse_text_chunk(chunk, self.context.delimiter)
            # Usually no cell of the whole chunk needs `clean`, which costs more than the rest
            # of a row's checks.
            text = chunk.text
            quoted = '"' in text
            spaces = None if not quoted and _is_clean(text, _SPACE_IN_TEXT) else _SPACE_IN_CELLS
        else:
            rows, records = list(chunk), 0
            cells_text = "".join(["".join(cells) for _number, cells in rows])
            spaces = None if _is_clean(cells_text, _SPACE_IN_CELLS) else _SPACE_IN_CELLS
        result = ChunkResult(count=len(rows), records=records, probes=probe)
        checked = self._checked(rows, result.errors, probe, wanted, spaces)
        if self.knows_every_employer:
            self._fill(result, checked)
        else:
            result.checked = list(checked)
        return result

    def _checked(
        self,
        rows: list[tuple[int, list[str]]],
        errors: list[RowError],
        probe: bool,
        wanted: Collection[int] | None,
        spaces: tuple[str, ...] | None,
    ) -> list[tuple[int, Any, Any, Link]]:
        """The rows that pass validation, each as (row, the formatted row before the employer,
        after the union, what the employer and union are found by); the others go to `errors`."""
        accepted = self._accepted(rows, errors, wanted, spaces)
        return self._probes(accepted) if probe else self._members(accepted)

    def _accepted(
        self,
        rows: list[tuple[int, list[str]]],
        errors: list[RowError],
        wanted: Collection[int] | None,
        spaces: tuple[str, ...] | None,
    ) -> list[Accepted]:
        """The rows that pass validation, with their blind indexes and masks. A clean row whose
        every check this validator has made before (the usual row) is taken in this loop: the
        same checks as `_valid`'s, on its caches, with no call per row; any other row goes
        through `_valid`, which also words the error."""
        first: dict[str, int] = {}
        accepted: list[Accepted] = []
        append = accepted.append
        repeated = _("The same ID number is already on row %(row)d of this file.")
        pick, pad, width, valid = self._pick, self._pad, self.width, self._valid
        index_id, index_phone = self.index_id, self.index_phone
        regions, births, sequences = self._region_sums, self._birth_sums, _SEQUENCE_SUMS
        usccs, orgs, joins = self._usccs, self._orgs, self._joined
        for number, cells in rows:
            if wanted is not None and number not in wanted:
                continue
            if len(cells) < width:
                cells = cells + [""] * (width - len(cells))
            values = pick(cells + pad if pad else cells)
            if spaces is not None and not _is_clean("".join(values), spaces):
                values = tuple(map(clean, values))
            name, id_number, phone, employer_name, uscc, org_code, joined = values
            if (
                name
                and len(name) <= 50
                and len(id_number) == 18
                and (region := regions.get(id_number[:6])) is not None
                and (born := births.get(id_number[6:14])) is not None
                and (sequence := sequences.get(id_number[14:17])) is not None
                and ID_CHECK_CHARS[(region + born + sequence) % 11] == id_number[17]
                # _PHONE_SHAPE, in method calls
                and (
                    not phone
                    or (
                        len(phone) == 11
                        and phone.isascii()
                        and phone.isdigit()
                        and phone[0] == "1"
                        and phone[1] in "3456789"
                    )
                )
                and (not uscc or type(uscc := usccs.get(uscc)) is str)
                and (not org_code or type(org_id := orgs.get(org_code)) is int)
                and (
                    not joined
                    or (type(join := joins.get(joined)) is tuple and id_number[6:10] <= join[1])
                )
            ):
                if not org_code:
                    org_id = None
                joined = joins[joined][0] if joined else None
                employer_name = employer_name[:200]
            else:
                try:
                    name, id_number, phone, uscc, employer_name, org_id, joined = valid(values)
                except _Reject as exc:
                    errors.append(RowError(number, exc.column, exc.value[:200], exc.reason))
                    continue
            id_index = index_id(id_number)
            earlier = first.setdefault(id_index, number)
            masked = id_number[:6] + "********" + id_number[14:]
            if earlier != number:
                errors.append(RowError(number, "id_number", masked, repeated % {"row": earlier}))
                continue
            phone_index = index_phone(phone) if phone else ""
            append(
                (number, name, id_number, id_index, masked, phone, phone_index, joined,
                 (uscc, employer_name, org_id))
            )  # fmt: skip
        return accepted

    def _probes(self, accepted: list[Accepted]) -> list[tuple[int, Any, Any, Link]]:
        """(row, before, after the employer and union, link) of PROBE_COLUMNS rows."""
        if not self.context.copy_text:
            return [
                (number, (id_index, number, name, phone_index), (joined, masked), link)
                for number, name, _id, id_index, masked, _phone, phone_index, joined, link
                in accepted
            ]  # fmt: skip
        # Only the name is free text, its whitespace already collapsed to single spaces by
        # `clean`: a backslash is all COPY needs escaped.
        return [
            (
                number,
                f"{id_index}\t{number}\t{name.replace(_BACKSLASH, _ESCAPED)}\t{phone_index}\t",
                f"\t{_NULL if joined is None else joined}\t{masked}\n",
                link,
            )
            for number, name, _id, id_index, masked, _phone, phone_index, joined, link in accepted
        ]

    def _members(self, accepted: list[Accepted]) -> list[tuple[int, Any, Any, Link]]:
        """(row, before, after the employer and union, link) of STAGE_COLUMNS rows: the ID
        numbers and phones encrypted a chunk at a time (`Vault.seal_all`)."""
        ids = self.seal_all([row[2] for row in accepted])
        phones = iter(self.seal_all([row[5] for row in accepted if row[5]]))
        base, copy_text, constants, suffix = (
            self.context.id_base, self.context.copy_text, self._constants, self._suffix
        )  # fmt: skip
        formed: list[tuple[int, Any, Any, Link]] = []
        append = formed.append
        for row, id_enc in zip(accepted, ids, strict=True):
            number, name, id_number, id_index, _masked, phone, phone_index, joined, link = row
            pinyin, initials = name_keys(name)
            gender = "male" if int(id_number[16]) % 2 else "female"
            born = f"{id_number[6:10]}-{id_number[10:12]}-{id_number[12:14]}"
            phone_enc, phone_masked = (
                (next(phones), phone[:3] + "****" + phone[7:]) if phone else ("", "")
            )
            if not copy_text:
                append((number, (
                    base + number, name, pinyin, initials, id_enc, id_index, gender, born,
                    id_number[:6], phone_enc, phone_index, phone_masked,
                ), (joined, *constants), link))  # fmt: skip
                continue
            # Only the name is free text (see _probes); the rest is digits, hex, base64url,
            # masks or dates; only the employer and the join date may be NULL.
            name = name.replace(_BACKSLASH, _ESCAPED)
            append((
                number,
                f"{base + number}\t{name}\t{pinyin}\t{initials}\t{id_enc}\t{id_index}\t{gender}\t"
                f"{born}\t{id_number[:6]}\t{phone_enc}\t{phone_index}\t{phone_masked}\t",
                f"\t{_NULL if joined is None else joined}{suffix}",
                link,
            ))  # fmt: skip
        return formed

    def finish(self, result: ChunkResult) -> ChunkResult:
        """Complete a chunk `check` left unfinished: find its employers (one query on the
        importing connection) and fill in each row's employer and union (`_fill`)."""
        if result.finished:
            return result
        self._find_employers({key for *_row, key in result.checked})
        checked, result.checked = result.checked, []
        self._fill(result, checked)
        return result

    def _fill(self, result: ChunkResult, checked: Iterable[tuple[int, Any, Any, Link]]) -> None:
        """Put the employer and union between each checked row's head and tail; rows whose
        employer is unknown are rejected. Each (USCC, employer name, union)'s outcome — the text
        between head and tail, or its error — is worked out once per import. Rows stay in file
        order: a bulk load's member ids then grow row by row, and PostgreSQL appends each to the
        primary key's last page (a quarter smaller, and its `COPY` some 15 % faster, than in
        any other order)."""
        lines: list[str] = []
        rows: list[tuple[Any, ...]] = []
        errors = result.errors
        links, link = self._links, self._link
        for number, head, tail, key in checked:
            middle = links.get(key)
            if middle is None:
                middle = links[key] = link(*key)
            if type(middle) is str:
                lines.append(head + middle + tail)
            elif type(middle) is tuple:
                rows.append((*head, *middle, *tail))
            else:
                errors.append(RowError(number, middle.column, middle.value, middle.reason))
        result.accepted = len(lines) + len(rows)
        if result.probes:  # the blind index leads every probe (PROBE_COLUMNS)
            heads = [line[:KEY_DIGITS] for line in lines] or [row[0][:KEY_DIGITS] for row in rows]
            result.keys = bytes.fromhex("".join(heads))
        if result.probes and self.context.halves:
            result.high = "".join([line for line in lines if line >= HALF]).encode()
            lines = [line for line in lines if line < HALF]
        result.copy, result.rows = "".join(lines).encode(), rows
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
        """What goes between a row's head and tail — "employer\torg" in COPY text, the pair as a
        tuple otherwise — or the _Reject of a row whose employer is unknown. A row that named
        no union joins the employer's union, else its community union, else the importing
        union."""
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
        if not self.context.copy_text:
            return (employer_id, org)
        return f"{_NULL if employer_id is None else employer_id}\t{org}"


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
