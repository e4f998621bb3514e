"""The validation fast paths never accept what the full validators refuse, nor refuse what they
accept."""

import struct
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gonghui.core.tabular import TextChunk, clean, columns_of, parse_text_chunk
from gonghui.core.validators import InvalidIdNumber, normalize_id_number
from gonghui.members.importing import (
    _BATCH_ROWS,
    _SPACE_IN_CELLS,
    _SPACE_IN_TEXT,
    ChunkValidator,
    ImportContext,
    _birth_date_sums,
    _is_clean,
    _Reject,
    _weighted_sum,
)
from gonghui.members.tests.factories import make_id_number
from gonghui.orgs.models import OrgKind

TODAY = date(2026, 11, 26)


@pytest.fixture(scope="module")
def validator():
    context = ImportContext(
        scope_path="",
        orgs={},
        default_org=None,
        today=TODAY,
        fields={"name": 0, "id_number": 1},
        binary_copy=True,
    )
    return ChunkValidator(context)


def _checked(validator, raw):
    try:
        return validator._id_number(raw)
    except _Reject:
        return None


@given(raw=st.text(alphabet="0123456789Xx", min_size=17, max_size=19))
def test_id_number_fast_path_agrees_with_the_full_validator(validator, raw):
    try:
        full = normalize_id_number(raw, today=TODAY)
    except InvalidIdNumber:
        full = None
    assert _checked(validator, raw) == full


@given(seq=st.integers(min_value=0, max_value=10**6))
def test_valid_id_numbers_are_accepted(validator, seq):
    number = make_id_number(seq)
    assert _checked(validator, number) == number
    assert _checked(validator, number[:17] + number[17].lower()) == number


def test_a_birth_date_after_today_is_refused_with_the_full_validators_reason(validator):
    with pytest.raises(_Reject) as refused:
        validator._id_number(make_id_number(5, born=date(2027, 1, 1)))
    assert refused.value.column == "id_number"
    assert refused.value.reason


def test_the_spaces_looked_for_are_every_character_clean_collapses():
    every_space = {chr(code) for code in range(0x110000) if chr(code).isspace()}
    assert set(_SPACE_IN_CELLS) == every_space
    assert set(_SPACE_IN_TEXT) == every_space - {"\n", "\r"}


@given(text=st.text(alphabet=st.characters(codec="utf-8"), max_size=12))
def test_a_cell_taken_as_clean_is_what_clean_would_make_of_it(text):
    """Chunks and rows that pass the cleanliness check skip `clean`: it must change nothing."""
    if _is_clean(text, _SPACE_IN_CELLS):
        assert clean(text) == text


@given(text=st.text(alphabet=st.sampled_from("张三,1２ \u3000\t\xa0\r\nＡa"), max_size=20))
def test_csv_text_taken_as_clean_holds_only_clean_cells(text):
    if '"' not in text and _is_clean(text, _SPACE_IN_TEXT):
        rows, _count = parse_text_chunk(TextChunk(first=2, text=text, records=0), ",")
        for _number, cells in rows:
            assert [clean(cell) for cell in cells] == cells


@given(
    text=st.text(
        alphabet=st.one_of(
            st.sampled_from(_SPACE_IN_TEXT), st.characters(codec="utf-8"), st.sampled_from("张、“")
        ),
        max_size=20,
    )
)
def test_the_bytes_of_utf8_text_tell_its_cleanliness_as_its_characters_do(text):
    assert _is_clean(text, _SPACE_IN_TEXT, text.encode()) == _is_clean(text, _SPACE_IN_TEXT)


@given(cells=st.lists(st.text(alphabet=st.characters(codec="utf-8"), max_size=4), max_size=4))
def test_a_row_taken_as_clean_holds_only_clean_cells(cells):
    """A spreadsheet row is checked as its cells joined: each cell must then be clean too."""
    if _is_clean("".join(cells), _SPACE_IN_CELLS):
        assert [clean(cell) for cell in cells] == cells


@given(
    unions=st.lists(st.sampled_from(["U1", "U2", "U3", "X9"]), min_size=1, max_size=30),
    probe=st.booleans(),
)
def test_finished_rows_keep_the_file_order_whatever_their_unions(unions, probe):
    # A bulk load's member ids are the row numbers: in file order its COPY appends each to the
    # primary key's last page. Rows of an unknown union (X9) are refused in place.
    context = ImportContext(
        scope_path="",
        orgs={"U1": (1, "enterprise"), "U2": (2, "community"), "U3": (3, "joint")},
        default_org=None,
        today=TODAY,
        fields={"name": 0, "id_number": 1, "org_code": 2},
        binary_copy=True,
    )
    validator = ChunkValidator(context)
    rows = [(n, ["王五", make_id_number(n), union]) for n, union in enumerate(unions, start=2)]
    result = validator.finish(validator.check(rows, probe=probe))
    key = 1 if probe else 0  # a probe's key follows its blind index; a member row's leads it
    keys = [int.from_bytes(row[key], "big", signed=True) for row in _copy_rows(result.copy)]
    assert keys == [n for n, (_name, _id, union) in rows if union != "X9"]
    assert [e.row for e in result.errors] == [n for n, (*_cells, union) in rows if union == "X9"]


def _copy_rows(data: bytes) -> list[list[bytes | None]]:
    """Binary COPY rows as their fields' bytes (None for NULL)."""
    rows, at = [], 0
    while at < len(data):
        (count,) = struct.unpack_from(">h", data, at)
        at += 2
        row: list[bytes | None] = []
        for _field in range(count):
            (length,) = struct.unpack_from(">i", data, at)
            at += 4
            row.append(None if length < 0 else data[at : at + length])
            at += max(length, 0)
        rows.append(row)
    return rows


def _row_validator():
    context = ImportContext(
        scope_path="",
        orgs={"U1": (1, OrgKind.ENTERPRISE), "F1": (2, OrgKind.DISTRICT)},
        default_org=None,
        today=TODAY,
        fields={"name": 0, "id_number": 1, "phone": 2, "org_code": 3, "joined_on": 4},
        binary_copy=True,
    )
    return ChunkValidator(context)


@pytest.fixture(scope="module")
def seasoned():
    """A validator whose caches have met valid ID numbers, unions and join dates, so that
    `_accepted` takes its fast path for rows made of what it has seen."""
    validator = _row_validator()
    rows = [
        (n, ["王五", make_id_number(n, region=region), "13912345678", "U1", "2020-05-01"])
        for n, region in enumerate(["110101", "310104", "440305"] * 20, start=2)
    ]
    validator._accepted(*_unzipped(rows), [], None, None)
    return validator


def _edited(number: str, edit: str) -> str:
    if edit == "lower-x":
        return number[:17] + "x"
    if edit == "check":
        return number[:17] + "0123456789X"[("0123456789X".index(number[17]) + 1) % 11]
    if edit == "digit":
        return number[:15] + str((int(number[15]) + 1) % 10) + number[16:]
    if edit == "long":
        return number + "1"
    if edit == "short":
        return number[:17]
    if edit == "wide":  # a full-width digit: clean() would have made it ASCII, the row did not
        return number[:3] + chr(0xFF10 + int(number[3])) + number[4:]
    if edit == "wide-sequence":
        return number[:15] + chr(0xFF10 + int(number[15])) + number[16:]
    if edit == "zero":
        return "0" + number[1:]
    return number


def _mostly(good, *others):
    """`good` three times in four, else one of `others`: most rows take the fast path."""
    return st.one_of(st.just(good), st.just(good), st.just(good), st.sampled_from(others))


@settings(max_examples=400)
@given(
    seq=st.integers(min_value=2, max_value=80),  # the seasoned rows' are 2 to 61
    region=_mostly("110101", "310104", "440305", "990101", "110102"),
    # None: the birth date make_id_number draws from `seq`, as for the seasoned rows; too old,
    # in the future, too young to have joined in 2020.
    born=_mostly(None, date(1899, 12, 31), date(2027, 1, 1), date(2012, 6, 1)),
    edit=_mostly("", "lower-x", "check", "digit", "long", "short", "wide", "wide-sequence", "zero"),
    name=_mostly("王五", "", "王" * 51),
    phone=_mostly(
        "13912345678",
        "",
        "12912345678",
        "1391234567",
        "139123456789",
        "139１2345678",
        "1391234567x",
    ),
    org=_mostly("U1", "", "F1", "X9"),
    joined=_mostly("2020-05-01", "", "2020/5/1", "2099-01-01", "bad"),
)
def test_the_rows_fast_path_agrees_with_the_full_validator(
    seasoned, seq, region, born, edit, name, phone, org, joined
):
    """Whatever a row holds, the validator that has seen similar rows (and takes them on its
    fast path) accepts or refuses it as a fresh one's `_valid` does, with the same values."""
    cells = [name, _edited(make_id_number(seq, region=region, born=born), edit), phone, org, joined]
    errors = []
    accepted = seasoned._accepted(*_unzipped([(7, cells)]), errors, None, None)
    fast = _accepted_outcomes(accepted)
    fast += [("refused", error.column, error.reason) for error in errors]
    assert fast == [_outcome(cells)]


def _unzipped(rows):
    """Row numbers and the file's columns, as `check` hands them to `_accepted`."""
    return [number for number, _cells in rows], columns_of([cells for _n, cells in rows], 5)


def _accepted_outcomes(accepted):
    return [
        ("accepted", name, number, phone, joined, link[2])
        for name, number, phone, joined, link in zip(
            accepted.names,
            accepted.ids,
            accepted.phones,
            accepted.joined_on,
            accepted.links,
            strict=True,
        )
    ]


_ROW = st.tuples(
    st.integers(min_value=2, max_value=80),
    _mostly("110101", "310104", "990101", "110102"),
    _mostly("", "lower-x", "check", "short", "wide"),
    _mostly("王五", "", "王" * 51),
    _mostly("13912345678", "", "12912345678", "139１2345678"),
    _mostly("U1", "", "F1", "X9"),
    _mostly("2020-05-01", "", "2020/5/1", "2099-01-01"),
)


@settings(max_examples=200)
@given(rows=st.lists(_ROW, min_size=1, max_size=12))
def test_a_chunk_of_mixed_rows_is_taken_row_by_row_as_the_full_validator_would(seasoned, rows):
    """Rows checked column by column — some on the fast path, some through `_valid`, some
    refused — come out in file order, each with its own values, and a repeated ID number is
    refused on its later rows."""
    chunk = [
        (number, [name, _edited(make_id_number(seq, region=region), edit), phone, org, joined])
        for number, (seq, region, edit, name, phone, org, joined) in enumerate(rows, start=2)
    ]
    errors = []
    accepted = seasoned._accepted(*_unzipped(chunk), errors, None, None)
    outcomes = dict(zip(accepted.numbers, _accepted_outcomes(accepted), strict=True))
    outcomes.update({error.row: ("refused", error.column) for error in errors})
    expected, seen = {}, set()
    for number, cells in chunk:
        outcome = _outcome(cells)
        if outcome[0] == "accepted" and outcome[2] in seen:
            outcome = ("refused", "id_number")
        elif outcome[0] == "refused":
            outcome = outcome[:2]
        else:
            seen.add(outcome[2])
        expected[number] = outcome
    assert outcomes == expected
    assert accepted.numbers == sorted(accepted.numbers)


def _outcome(cells):
    """What a fresh validator's `_valid` makes of the row: its values, or its refusal."""
    try:
        name, number, phone, _uscc, _employer, org_id, joined = _row_validator()._valid(
            (*cells[:3], "", "", *cells[3:])
        )
    except _Reject as refused:
        return ("refused", refused.column, refused.reason)
    return ("accepted", name, number, phone, joined, org_id)


def test_an_id_number_repeated_far_apart_in_one_chunk_is_refused_on_its_later_row():
    """A chunk is checked a few thousand rows at a time; a repeat across those batches is still
    the chunk's own, refused by the validator with the row it repeats."""
    validator = _row_validator()
    size = _BATCH_ROWS + 500
    chunk = [(n, ["王五", make_id_number(n), "", "U1", ""]) for n in range(2, size + 2)]
    chunk[-1] = (size + 1, ["赵六", make_id_number(5), "", "U1", ""])
    result = validator.check(chunk)
    assert [(e.row, e.column) for e in result.errors] == [(size + 1, "id_number")]
    assert "5" in result.errors[0].reason
    assert len(result.checked[0]) == size - 1


@given(today=st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)))
@settings(max_examples=20)
def test_every_plausible_birth_date_and_no_other_has_its_digit_sum(today):
    sums = _birth_date_sums(today)
    assert len(sums) == (today - date(1900, 1, 1)).days + 1
    assert max(sums) == today.strftime("%Y%m%d")
    for born in ("19000101", "19720229", today.strftime("%Y%m%d")):
        assert sums[born] == _weighted_sum(born, 6)
    assert "19000229" not in sums  # 1900 was no leap year
    assert "19001301" not in sums
