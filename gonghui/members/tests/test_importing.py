"""The validation fast paths never accept what the full validators refuse, nor refuse what they
accept."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gonghui.core.validators import InvalidIdNumber, normalize_id_number
from gonghui.members.importing import ChunkValidator, ImportContext, _Reject
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
        created_at="2026-11-26T00:00:00+00:00",
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
