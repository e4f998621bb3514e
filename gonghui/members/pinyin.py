"""Search keys for Chinese names: full pinyin (`zhangsan`) and initials (`zs`).

pypinyin converts a whole phrase in ~27 µs, too slow for an import of millions of rows, so
each character is converted once and cached; names are short and drawn from a small alphabet.
Common surnames read differently from the character's first reading (单 shan, not dan).
"""

import os
from functools import lru_cache

# Names are converted a character at a time, where pypinyin's phrase dictionary never applies;
# skipping it spares every process that imports this module 0.2 s and 45 MB.
os.environ.setdefault("PYPINYIN_NO_PHRASES", "true")

from pypinyin import lazy_pinyin

SURNAME_READINGS = {
    "单": "shan", "曾": "zeng", "解": "xie", "查": "zha", "区": "ou", "仇": "qiu", "朴": "piao",
    "乐": "yue", "盖": "ge", "覃": "qin", "缪": "miao", "翟": "zhai", "秘": "bi", "员": "yun",
    "尉": "yu", "万俟": "moqi", "长孙": "zhangsun", "重": "chong", "折": "she", "种": "chong",
    "召": "shao", "繁": "po", "褚": "chu", "宿": "su", "相": "xiang", "纪": "ji", "沈": "shen",
    "贲": "ben", "隗": "wei", "黑": "he", "难": "ning", "能": "nai", "阚": "kan", "华": "hua",
}  # fmt: skip


# character → its reading, "" for one without (punctuation, a letter pypinyin cannot read)
_readings: dict[str, str] = {}


def _reading(ch: str) -> str:
    if ch.isascii():
        return ch.lower() if ch.isalnum() else ""
    reading = lazy_pinyin(ch)[0]
    return reading if reading.isascii() and reading.isalpha() else ""


@lru_cache(maxsize=1 << 18)
def name_keys(name: str) -> tuple[str, str]:
    """(full pinyin, initials) of a name, lowercase ASCII, separators dropped."""
    syllables = []
    rest = name
    for surname in (name[:2], name[:1]):
        if surname in SURNAME_READINGS:
            syllables.append(SURNAME_READINGS[surname])
            rest = name[len(surname) :]
            break
    # A plain loop over a dict: an import meets a new name every few rows.
    readings = _readings
    for ch in rest:
        reading = readings.get(ch)
        if reading is None:
            reading = readings[ch] = _reading(ch)
        if reading:
            syllables.append(reading)
    return "".join(syllables), "".join([s[0] for s in syllables])
