from hypothesis import given
from hypothesis import strategies as st
from pypinyin import lazy_pinyin

from gonghui.members.pinyin import SURNAME_READINGS, name_keys

# Common CJK characters, the two-character surnames, ASCII letters, digits and separators.
_CHARACTERS = st.one_of(
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5),
    st.sampled_from("张王李单曾区万俟长孙·. -AbZ9"),
)


def _spelled_out(name: str) -> list[str]:
    """Each character's own reading, after the surname's special one (the slow, plain way)."""
    for surname in (name[:2], name[:1]):
        if surname in SURNAME_READINGS:
            return [SURNAME_READINGS[surname], *_spelled_out_rest(name[len(surname) :])]
    return _spelled_out_rest(name)


def _spelled_out_rest(text: str) -> list[str]:
    readings = []
    for ch in text:
        reading = ch.lower() if ch.isascii() and ch.isalnum() else ""
        if not ch.isascii():
            reading = lazy_pinyin(ch)[0]
            reading = reading if reading.isascii() and reading.isalpha() else ""
        if reading:
            readings.append(reading)
    return readings


@given(st.text(_CHARACTERS, min_size=1, max_size=6))
def test_name_keys_are_each_characters_reading_and_their_initials(name):
    readings = _spelled_out(name)
    assert name_keys(name) == ("".join(readings), "".join(r[0] for r in readings))


def test_a_surname_takes_its_surname_reading():
    assert name_keys("单雄信") == ("shanxiongxin", "sxx")
    assert name_keys("万俟卨")[0].startswith("moqi")
