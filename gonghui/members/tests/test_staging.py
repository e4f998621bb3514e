from array import array

from hypothesis import assume, given
from hypothesis import strategies as st

from gonghui.members.staging import RepeatCheck

# Keys from a small range, so that chunks often share one.
chunks_of_keys = st.lists(st.lists(st.integers(0, 40), max_size=8), max_size=6)


def _checked(chunks: list[list[int]], limit: int) -> RepeatCheck:
    check = RepeatCheck()
    check.LIMIT = limit
    for keys in chunks:
        check.add(array("Q", keys).tobytes())
    return check


@given(chunks=chunks_of_keys)
def test_repeat_check_rules_repeats_out_only_when_every_key_differs(chunks):
    keys = [key for chunk in chunks for key in chunk]
    assert _checked(chunks, limit=1000).possible == (len(set(keys)) < len(keys))


@given(chunks=chunks_of_keys)
def test_repeat_check_past_its_limit_no_longer_rules_repeats_out(chunks):
    keys = [key for chunk in chunks for key in chunk]
    assume(len(keys) > 5)
    assert _checked(chunks, limit=5).possible
