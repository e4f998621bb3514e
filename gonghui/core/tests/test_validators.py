import re
from collections.abc import Callable
from datetime import date

import pytest
from django.utils.functional import Promise
from hypothesis import given
from hypothesis import strategies as st

from gonghui.core.validators import (
    ID_WEIGHTS,
    USCC_CHARSET,
    USCC_WEIGHTS,
    InvalidIdNumber,
    InvalidMobile,
    InvalidUscc,
    InvalidValue,
    UsccResult,
    id_number_birth_date,
    id_number_check_char,
    id_number_gender,
    id_number_region,
    normalize_id_number,
    normalize_mobile,
    normalize_text,
    normalize_uscc,
    uscc_check_char,
)

# A fixed "today" keeps the date tests deterministic; it is in the past, so codes generated up to
# it also pass against the real date when a test leaves `today` out.
TODAY = date(2025, 6, 30)

# Written out again here rather than imported, so a typo in the module cannot hide in the tests.
PROVINCE_PREFIXES = [
    *(str(n) for n in range(11, 16)),
    *(str(n) for n in range(21, 24)),
    *(str(n) for n in range(31, 38)),
    *(str(n) for n in range(41, 47)),
    *(str(n) for n in range(50, 55)),
    *(str(n) for n in range(61, 66)),
    "71",
    "81",
    "82",
    "83",
    "91",
]
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_AUTHORITIES = "123456789ANY"
DIGITS = "0123456789"
ID_CHARS = DIGITS + "X"


# Independent textbook forms of the two check algorithms, to test the module's versions against.
def textbook_id_check(first17: str) -> str:
    # ISO 7064 MOD 11-2: weight 2**(17 - i) mod 11; check value (12 - sum mod 11) mod 11, 10 = X.
    total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(first17))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def textbook_uscc_check(first17: str) -> str:
    # GB 32100: weight 3**i mod 31; check value makes the weighted sum a multiple of 31.
    total = sum(USCC_ALPHABET.index(c) * pow(3, i, 31) for i, c in enumerate(first17))
    return USCC_ALPHABET[-total % 31]


def make_id(region: str = "110105", born: str = "19491231", seq: str = "002") -> str:
    first17 = region + born + seq
    return first17 + textbook_id_check(first17)


@st.composite
def id_numbers(draw: st.DrawFn, born: st.SearchStrategy[date] | None = None) -> str:
    region = draw(st.sampled_from(PROVINCE_PREFIXES)) + draw(
        st.text(DIGITS, min_size=4, max_size=4)
    )
    dates = st.dates(min_value=date(1900, 1, 1), max_value=TODAY) if born is None else born
    birth = draw(dates)
    seq = draw(st.text(DIGITS, min_size=3, max_size=3))
    return make_id(region, f"{birth:%Y%m%d}", seq)


@st.composite
def usccs(draw: st.DrawFn) -> str:
    first17 = (
        draw(st.sampled_from(USCC_AUTHORITIES))
        + draw(st.sampled_from(USCC_ALPHABET))
        + draw(st.text(DIGITS, min_size=6, max_size=6))
        + draw(st.text(USCC_ALPHABET, min_size=9, max_size=9))
    )
    return first17 + textbook_uscc_check(first17)


@st.composite
def corruptions(draw: st.DrawFn, codes: st.SearchStrategy[str], alphabet: str) -> tuple[str, str]:
    code = draw(codes)
    position = draw(st.integers(0, len(code) - 1))
    char = draw(st.sampled_from(alphabet.replace(code[position], "")))
    return code, code[:position] + char + code[position + 1 :]


def single_char_corruptions(code: str, alphabet: str) -> list[str]:
    return [
        code[:i] + char + code[i + 1 :]
        for i in range(len(code))
        for char in alphabet
        if char != code[i]
    ]


def uscc_is_refused(code: str) -> bool:
    try:
        return not normalize_uscc(code).check_ok
    except InvalidUscc:
        return True


# --- normalize_text ---


def test_normalize_text_turns_full_width_digits_and_letters_into_ascii() -> None:
    assert normalize_text("１２３ＡＢｃ") == "123ABc"


def test_normalize_text_strips_and_collapses_whitespace_including_ideographic_spaces() -> None:
    assert normalize_text("\u3000 foo \t\u3000 bar\n ") == "foo bar"


@given(st.text())
def test_normalize_text_is_idempotent_and_leaves_no_outer_or_double_spaces(raw: str) -> None:
    text = normalize_text(raw)
    assert normalize_text(text) == text
    assert text == text.strip()
    assert "  " not in text


# --- ID numbers: check character ---


def test_id_weights_are_powers_of_two_mod_11() -> None:
    assert tuple(pow(2, 17 - i, 11) for i in range(17)) == ID_WEIGHTS


def test_id_check_char_of_standard_vector_is_x() -> None:
    assert id_number_check_char("11010519491231002") == "X"


@given(st.text(DIGITS, min_size=17, max_size=17))
def test_id_check_char_agrees_with_textbook_formula(first17: str) -> None:
    assert id_number_check_char(first17) == textbook_id_check(first17)


# --- ID numbers: accepted forms ---


@pytest.mark.parametrize(
    "number", ["11010519491231002X", "110101200002290026", "830000198508151231"]
)
def test_standard_id_vectors_pass(number: str) -> None:
    assert number == make_id(number[:6], number[6:14], number[14:17])  # vectors are self-checking
    assert normalize_id_number(number) == number


def test_lowercase_x_is_upper_cased() -> None:
    assert normalize_id_number("11010519491231002x") == "11010519491231002X"


def test_full_width_digits_and_x_are_normalised() -> None:
    assert normalize_id_number("１１０１０５１９４９１２３１００２Ｘ") == "11010519491231002X"


def test_spaces_around_and_inside_an_id_number_are_ignored() -> None:
    assert normalize_id_number("  110105 19491231 002X\u3000") == "11010519491231002X"


def test_legacy_15_digit_id_number_is_converted_known_pair() -> None:
    assert normalize_id_number("110105491231002") == "11010519491231002X"


def test_legacy_15_digit_id_number_gets_19_inserted_and_check_char_appended() -> None:
    legacy = "440524800101001"  # region 440524, born 80-01-01, sequence 001
    first17 = "440524" + "19" + "800101" + "001"
    assert normalize_id_number(legacy) == first17 + textbook_id_check(first17)


@given(id_numbers())
def test_generated_id_numbers_pass_and_round_trip(number: str) -> None:
    assert normalize_id_number(number, today=TODAY) == number
    assert normalize_id_number(number.lower(), today=TODAY) == number


@given(id_numbers(born=st.dates(min_value=date(1900, 1, 1), max_value=date(1999, 12, 31))))
def test_generated_legacy_id_numbers_convert_to_their_18_digit_form(number: str) -> None:
    legacy = number[:6] + number[8:17]
    assert normalize_id_number(legacy, today=TODAY) == number


# --- ID numbers: corruption ---


@pytest.mark.parametrize(
    "number",
    [
        "11010519491231002X",
        make_id("320106", "19800229", "123"),
        make_id("830000", "20010911", "547"),
        make_id("650102", "19000101", "000"),
    ],
)
def test_every_single_character_change_of_an_id_number_is_rejected(number: str) -> None:
    for corrupted in single_char_corruptions(number, ID_CHARS):
        with pytest.raises(InvalidIdNumber):
            normalize_id_number(corrupted, today=TODAY)


@given(corruptions(id_numbers(), ID_CHARS))
def test_single_character_change_of_generated_id_number_is_rejected(
    pair: tuple[str, str],
) -> None:
    _, corrupted = pair
    with pytest.raises(InvalidIdNumber):
        normalize_id_number(corrupted, today=TODAY)


def test_wrong_check_digit_is_rejected_without_revealing_the_expected_one() -> None:
    with pytest.raises(InvalidIdNumber) as caught:
        normalize_id_number("110105194912310021")
    assert str(caught.value)
    assert "X" not in str(caught.value)


# --- ID numbers: rejected structure ---


def test_empty_id_number_is_rejected() -> None:
    with pytest.raises(InvalidIdNumber):
        normalize_id_number(" \u3000 ")


@pytest.mark.parametrize("number", ["1101051949123100", "11010519491231002X1", "1"])
def test_id_number_of_wrong_length_is_rejected_with_the_length_in_the_message(
    number: str,
) -> None:
    with pytest.raises(InvalidIdNumber) as caught:
        normalize_id_number(number)
    assert str(len(number)) in str(caught.value)


@pytest.mark.parametrize(
    "number", ["1101051949123100AX", "11010519491231002Y", "110105A91231002", "1101051949123l002X"]
)
def test_id_number_with_a_letter_other_than_final_x_is_rejected(number: str) -> None:
    with pytest.raises(InvalidIdNumber):
        normalize_id_number(number)


def test_non_ascii_digits_in_id_number_are_rejected() -> None:
    # Arabic-Indic digits pass str.isdigit() and int() but are not ID number digits.
    with pytest.raises(InvalidIdNumber):
        normalize_id_number("١١٠١٠٥١٩٤٩١٢٣١٠٠٢X")


def test_id_numbers_with_every_listed_province_prefix_pass() -> None:
    for prefix in PROVINCE_PREFIXES:
        assert normalize_id_number(make_id(prefix + "0101")) == make_id(prefix + "0101")


def test_id_numbers_with_any_other_two_digit_prefix_are_rejected() -> None:
    for prefix in (f"{n:02d}" for n in range(100)):
        if prefix not in PROVINCE_PREFIXES:
            with pytest.raises(InvalidIdNumber):
                normalize_id_number(make_id(prefix + "0101"))


# --- ID numbers: birth date ---


def test_birth_date_after_today_is_rejected() -> None:
    with pytest.raises(InvalidIdNumber):
        normalize_id_number(make_id(born="20200102"), today=date(2020, 1, 1))


def test_birth_date_of_today_is_accepted() -> None:
    number = make_id(born="20200101")
    assert normalize_id_number(number, today=date(2020, 1, 1)) == number


def test_birth_date_in_the_future_is_rejected_against_the_real_date_by_default() -> None:
    with pytest.raises(InvalidIdNumber):
        normalize_id_number(make_id(born="29991231"))


def test_birth_year_1899_is_rejected() -> None:
    with pytest.raises(InvalidIdNumber):
        normalize_id_number(make_id(born="18991231"))


def test_the_standards_own_1880_example_is_rejected_by_the_1900_floor() -> None:
    # GB 11643 illustrates the algorithm with 440524188001010014; its check digit is right, but
    # nobody born before 1900 is a living member, so the floor wins.
    assert textbook_id_check("44052418800101001") == "4"
    with pytest.raises(InvalidIdNumber):
        normalize_id_number("440524188001010014")


def test_birth_date_1900_01_01_is_accepted() -> None:
    assert normalize_id_number(make_id(born="19000101")) == make_id(born="19000101")


@pytest.mark.parametrize("born", ["19800230", "19801301", "19800001", "19800100", "19800431"])
def test_impossible_birth_date_is_rejected(born: str) -> None:
    with pytest.raises(InvalidIdNumber):
        normalize_id_number(make_id(born=born))


def test_february_29_of_a_leap_year_is_accepted() -> None:
    assert normalize_id_number(make_id(born="20000229")) == make_id(born="20000229")


@pytest.mark.parametrize("born", ["20230229", "19000229"])  # 1900 is not a leap year
def test_february_29_of_a_non_leap_year_is_rejected(born: str) -> None:
    with pytest.raises(InvalidIdNumber):
        normalize_id_number(make_id(born=born))


# --- ID numbers: extraction ---


def test_birth_date_is_extracted() -> None:
    assert id_number_birth_date("11010519491231002X") == date(1949, 12, 31)


def test_odd_17th_digit_means_male() -> None:
    assert id_number_gender(make_id(seq="001")) == "male"


def test_even_17th_digit_means_female() -> None:
    assert id_number_gender("11010519491231002X") == "female"


def test_region_is_the_first_six_digits() -> None:
    assert id_number_region("11010519491231002X") == "110105"


@given(id_numbers())
def test_extraction_agrees_with_the_parts_of_generated_id_numbers(number: str) -> None:
    assert id_number_birth_date(number).strftime("%Y%m%d") == number[6:14]
    assert id_number_region(number) == number[:6]
    assert id_number_gender(number) in ("male", "female")


# --- Unified social credit codes ---


def test_uscc_charset_is_the_31_characters_without_i_o_s_v_z() -> None:
    assert USCC_CHARSET == USCC_ALPHABET
    assert not set("IOSVZ") & set(USCC_CHARSET)


def test_uscc_weights_are_powers_of_three_mod_31() -> None:
    assert tuple(pow(3, i, 31) for i in range(17)) == USCC_WEIGHTS


@given(st.text(USCC_ALPHABET, min_size=17, max_size=17))
def test_uscc_check_char_agrees_with_textbook_formula(first17: str) -> None:
    assert uscc_check_char(first17) == textbook_uscc_check(first17)


def test_standard_uscc_vector_passes_with_check_ok() -> None:
    assert normalize_uscc("91350100M000100Y43") == UsccResult("91350100M000100Y43", check_ok=True)


def test_uscc_lowercase_spaces_and_full_width_are_normalised() -> None:
    assert normalize_uscc(" 9135 0100 m000 100y 43 ").code == "91350100M000100Y43"
    assert normalize_uscc("９１３５０１００Ｍ０００１００Ｙ４３").code == "91350100M000100Y43"


@given(usccs())
def test_generated_usccs_pass_with_check_ok_and_round_trip(code: str) -> None:
    assert normalize_uscc(code) == UsccResult(code, check_ok=True)
    assert normalize_uscc(code.lower()) == UsccResult(code, check_ok=True)


def test_uscc_with_wrong_check_char_is_returned_with_check_ok_false() -> None:
    assert normalize_uscc("91350100M000100Y44") == UsccResult("91350100M000100Y44", check_ok=False)


@pytest.mark.parametrize(
    "code",
    [
        "91350100M000100Y43",
        "1" + "1" + "110000" + "000000000" + textbook_uscc_check("11110000000000000"),
        "Y" + "Y" + "999999" + "YYYYYYYYY" + textbook_uscc_check("YY999999YYYYYYYYY"),
        "NA440300MA5DXXXXX" + textbook_uscc_check("NA440300MA5DXXXXX"),
    ],
)
def test_every_single_character_change_of_a_uscc_is_refused_or_flagged(code: str) -> None:
    assert normalize_uscc(code).check_ok
    for corrupted in single_char_corruptions(code, USCC_ALPHABET):
        assert uscc_is_refused(corrupted), corrupted


@given(corruptions(usccs(), USCC_ALPHABET))
def test_single_character_change_of_generated_uscc_is_refused_or_flagged(
    pair: tuple[str, str],
) -> None:
    _, corrupted = pair
    assert uscc_is_refused(corrupted)


def test_empty_uscc_is_rejected() -> None:
    with pytest.raises(InvalidUscc):
        normalize_uscc("")


@pytest.mark.parametrize("code", ["91350100M000100Y4", "91350100M000100Y433"])
def test_uscc_of_wrong_length_is_rejected_with_the_length_in_the_message(code: str) -> None:
    with pytest.raises(InvalidUscc) as caught:
        normalize_uscc(code)
    assert str(len(code)) in str(caught.value)


@pytest.mark.parametrize("letter", "IOSVZ")
def test_uscc_with_a_letter_outside_the_charset_is_rejected_naming_it_and_its_position(
    letter: str,
) -> None:
    with pytest.raises(InvalidUscc) as caught:
        normalize_uscc("91350100M000100" + letter + "43")
    assert letter in str(caught.value)
    assert "16" in str(caught.value)


@pytest.mark.parametrize("first", ["0", "B", "X"])
def test_uscc_with_an_invalid_registration_authority_is_rejected(first: str) -> None:
    code = first + "1350100M000100Y4"
    with pytest.raises(InvalidUscc):
        normalize_uscc(code + textbook_uscc_check(code))


@pytest.mark.parametrize("position", range(2, 8))
def test_uscc_with_a_letter_in_the_region_code_is_rejected(position: int) -> None:
    code = "91350100M000100Y4"
    code = code[:position] + "A" + code[position + 1 :]
    with pytest.raises(InvalidUscc):
        normalize_uscc(code + textbook_uscc_check(code))


# --- Mobile numbers ---


@pytest.mark.parametrize(
    "raw",
    [
        "13800138000",
        " 13800138000 ",
        "138 0013 8000",
        "138-0013-8000",
        "+8613800138000",
        "+86 138 0013 8000",
        "+86-138-0013-8000",
        "0086 138 0013 8000",
        "8613800138000",
        "１３８００１３８０００",
        "＋８６ １３８－００１３－８０００",
    ],
)
def test_valid_mobile_forms_are_normalised_to_11_digits(raw: str) -> None:
    assert normalize_mobile(raw) == "13800138000"


@pytest.mark.parametrize("second", "3456789")
def test_mobile_numbers_starting_13_to_19_are_accepted(second: str) -> None:
    assert normalize_mobile(f"1{second}012345678") == f"1{second}012345678"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "138001380001",  # 12 digits
        "1380013800",  # 10 digits
        "12800138000",  # starts with 12
        "10800138000",
        "23800138000",
        "1380013800a",
        "138OO138000",  # letter O for zero
        "+85291234567",  # Hong Kong
        "86138001380",  # a bare 86 prefix with only 9 digits after it is not a country code
        "١٣٨٠٠١٣٨٠٠٠",  # Arabic-Indic digits
    ],
)
def test_invalid_mobile_numbers_are_rejected(raw: str) -> None:
    with pytest.raises(InvalidMobile):
        normalize_mobile(raw)


def test_mobile_of_wrong_length_is_rejected_with_the_length_in_the_message() -> None:
    with pytest.raises(InvalidMobile) as caught:
        normalize_mobile("138001380001")
    assert "12" in str(caught.value)


# --- Arbitrary input never escapes as anything but the validator's own error ---

ID_LIKE_TEXT = st.text(DIGITS + "xX０９Ｘ ", min_size=13, max_size=20)
USCC_LIKE_TEXT = st.text(USCC_ALPHABET + "ioszv ａ９", min_size=16, max_size=20)
MOBILE_LIKE_TEXT = st.text(DIGITS + "+- ８６", max_size=16)


@given(st.one_of(st.text(), ID_LIKE_TEXT))
def test_normalize_id_number_raises_nothing_but_invalid_id_number(raw: str) -> None:
    try:
        number = normalize_id_number(raw, today=TODAY)
    except InvalidIdNumber:
        return
    assert re.fullmatch(r"[0-9]{17}[0-9X]", number)


@given(st.one_of(st.text(), USCC_LIKE_TEXT))
def test_normalize_uscc_raises_nothing_but_invalid_uscc(raw: str) -> None:
    try:
        result = normalize_uscc(raw)
    except InvalidUscc:
        return
    assert len(result.code) == 18
    assert set(result.code) <= set(USCC_ALPHABET)


@given(st.one_of(st.text(), MOBILE_LIKE_TEXT))
def test_normalize_mobile_raises_nothing_but_invalid_mobile(raw: str) -> None:
    try:
        number = normalize_mobile(raw)
    except InvalidMobile:
        return
    assert re.fullmatch(r"1[3-9][0-9]{9}", number)


# --- Error objects ---


@pytest.mark.parametrize(
    ("normalize", "raw"),
    [
        (normalize_id_number, "123"),
        (normalize_id_number, "11010519491231002Y"),
        (normalize_id_number, make_id(born="19800230")),
        (normalize_uscc, "91350100M000100Y4"),
        (normalize_uscc, "01350100M000100Y43"),
        (normalize_mobile, "12800138000"),
    ],
)
def test_errors_carry_a_lazy_reason_that_is_their_readable_message(
    normalize: Callable[[str], object], raw: str
) -> None:
    with pytest.raises(InvalidValue) as caught:
        normalize(raw)
    assert isinstance(caught.value, ValueError)
    assert isinstance(caught.value.reason, Promise)
    assert str(caught.value) == str(caught.value.reason)
    assert len(str(caught.value)) > 10
