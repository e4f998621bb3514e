"""Search keys for Chinese names: full pinyin (`zhangsan`) and initials (`zs`).

pypinyin converts a whole phrase in ~27 µs, too slow for an import of millions of rows, so
each character is converted once, into the tables `str.translate` spells a whole name by in C;
names are short and drawn from a small alphabet.
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


def _reading(ch: str) -> str:
    if ch.isascii():
        return ch.lower() if ch.isalnum() else ""
    reading = lazy_pinyin(ch)[0]
    return reading if reading.isascii() and reading.isalpha() else ""


class _Readings(dict[int, str | None]):
    """A `str.translate` table from a character to its reading (`initials`: the reading's
    first letter), None for one without (punctuation, a letter pypinyin cannot read): each
    character is looked up once, then translated in C with the rest of the name."""

    def __init__(self, *, initials: bool) -> None:
        super().__init__()
        self.initials = initials

    def __missing__(self, code: int) -> str | None:
        reading = _reading(chr(code))
        value = self[code] = (reading[:1] if self.initials else reading) or None
        return value


_FULL, _INITIALS = _Readings(initials=False), _Readings(initials=True)


@lru_cache(maxsize=1 << 18)
def name_keys(name: str) -> tuple[str, str]:
    """(full pinyin, initials) of a name, lowercase ASCII, separators dropped."""
    for surname in (name[:2], name[:1]):
        reading = SURNAME_READINGS.get(surname)
        if reading is not None:
            rest = name[len(surname) :]
            return reading + rest.translate(_FULL), reading[0] + rest.translate(_INITIALS)
    return name.translate(_FULL), name.translate(_INITIALS)
