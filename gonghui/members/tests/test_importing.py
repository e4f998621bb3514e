"""The validation fast paths never accept what the full validators refuse."""

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from gonghui.core.validators import InvalidIdNumber, normalize_id_number
from gonghui.members.importing import _quick_id_number
from gonghui.members.tests.factories import make_id_number

TODAY = date(2026, 11, 26)


@given(st.text(alphabet="0123456789Xx", min_size=17, max_size=19))
def test_quick_id_check_agrees_with_the_full_validator(raw):
    quick = _quick_id_number(raw, TODAY)
    try:
        full = normalize_id_number(raw, today=TODAY)
    except InvalidIdNumber:
        assert quick is None
    else:
        assert quick is None or quick[0] == full


@given(st.integers(min_value=0, max_value=10**6))
def test_quick_id_check_accepts_valid_numbers(seq):
    number = make_id_number(seq)
    assert _quick_id_number(number, TODAY) == (
        number,
        date(int(number[6:10]), int(number[10:12]), int(number[12:14])),
    )


def test_quick_id_check_leaves_future_births_to_the_full_validator():
    assert _quick_id_number(make_id_number(5, born=date(2027, 1, 1)), TODAY) is None
