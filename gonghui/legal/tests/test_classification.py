"""The classification table, every combination: the issue's table exactly, the rest refused."""

import itertools

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from gonghui.legal.classification import PATHS, next_path, recommended_paths

TYPES = ["rights", "interest", "", "RIGHTS", "other"]
SUBTYPES = ["illegal", "contested", "", "Illegal", "other"]

EXPECTED = {
    ("rights", "illegal"): ("administrative_supervision",),
    ("rights", "contested"): ("negotiation", "mediation", "arbitration", "litigation"),
    ("interest", ""): ("collective_negotiation",),
}


@pytest.mark.parametrize(("dispute_type", "subtype"), list(itertools.product(TYPES, SUBTYPES)))
def test_every_combination_is_classified_or_refused(dispute_type, subtype):
    expected = EXPECTED.get((dispute_type, subtype))
    if expected is not None:
        assert recommended_paths(dispute_type, subtype) == expected
    else:
        with pytest.raises(ValidationError):
            recommended_paths(dispute_type, subtype)


def test_the_table_has_exactly_the_three_valid_classifications():
    assert {k: tuple(v) for k, v in PATHS.items()} == EXPECTED


@pytest.mark.parametrize("subtype", ["illegal", "contested"])
def test_an_interest_dispute_with_a_rights_subtype_is_refused_with_a_clear_message(subtype):
    with pytest.raises(ValidationError) as caught:
        recommended_paths("interest", subtype)
    with translation.override("en"):
        messages = caught.value.message_dict
    assert messages == {
        "rights_subtype": [
            "An interest dispute (a claim beyond statute) has no rights subtype: "
            "leave the subtype empty."
        ]
    }


def test_the_refusal_is_translated():
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        recommended_paths("interest", "illegal")
    assert "利益" in caught.value.message_dict["rights_subtype"][0]


def test_a_rights_dispute_without_subtype_is_refused():
    with pytest.raises(ValidationError) as caught:
        recommended_paths("rights", "")
    assert "rights_subtype" in caught.value.message_dict


def test_an_unknown_type_is_refused_on_the_type_field():
    with pytest.raises(ValidationError) as caught:
        recommended_paths("wages", "")
    assert list(caught.value.message_dict) == ["dispute_type"]


@given(st.text(max_size=12), st.text(max_size=12))
def test_any_input_is_a_valid_classification_or_a_field_error(dispute_type, subtype):
    expected = EXPECTED.get((dispute_type, subtype))
    if expected is not None:
        assert recommended_paths(dispute_type, subtype) == expected
        return
    with pytest.raises(ValidationError) as caught:
        recommended_paths(dispute_type, subtype)
    assert set(caught.value.message_dict) <= {"dispute_type", "rights_subtype"}


def test_failed_mediation_moves_on_to_arbitration_then_litigation():
    assert next_path("rights", "contested", "mediation") == "arbitration"
    assert next_path("rights", "contested", "arbitration") == "litigation"
    assert next_path("rights", "contested", "litigation") is None
    assert next_path("rights", "illegal", "administrative_supervision") is None
