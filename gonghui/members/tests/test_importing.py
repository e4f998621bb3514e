"""The validation fast paths never accept what the full validators refuse, nor refuse what they
accept."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gonghui.core.tabular import TextChunk, clean, parse_text_chunk
from gonghui.core.validators import InvalidIdNumber, normalize_id_number
from gonghui.members.importing import (
    _SPACE_IN_CELLS,
    _SPACE_IN_TEXT,
    ChunkValidator,
    ImportContext,
    _is_clean,
    _Reject,
)
from gonghui.members.tests.factories import make_id_number

TODAY = date(2026, 11, 26)


@pytest.fixture(scope="module")
def validator():
    context = ImportContext(
        scope_path="",
        orgs={},
        default_org=None,
        today=TODAY,
        fields={"name": 0, "id_number": 1},
        copy_text=True,
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
        copy_text=True,
    )
    validator = ChunkValidator(context)
    rows = [(n, ["王五", make_id_number(n), union]) for n, union in enumerate(unions, start=2)]
    result = validator.finish(validator.check(rows, probe=probe))
    keys = [int(line.split("\t")[1 if probe else 0]) for line in result.copy.decode().splitlines()]
    assert keys == [n for n, (_name, _id, union) in rows if union != "X9"]
    assert [e.row for e in result.errors] == [n for n, (*_cells, union) in rows if union == "X9"]
