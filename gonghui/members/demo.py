"""Synthetic members for the demo city and the import benchmark (deterministic per seed).

IDs are unique by construction: member i maps through a bijection of [0, M) onto
(region, birth date, sequence), so millions of rows need no set of already-used numbers.
"""

import random
from collections.abc import Iterator, Sequence
from datetime import date, timedelta

from gonghui.core.validators import id_number_check_char

# Surnames by approximate share of the population (the top ~40 cover about 70 %).
SURNAMES = (
    ("王", 7.1), ("李", 7.0), ("张", 6.7), ("刘", 5.4), ("陈", 4.5), ("杨", 3.1), ("黄", 2.2),
    ("赵", 2.0), ("吴", 1.8), ("周", 1.7), ("徐", 1.3), ("孙", 1.2), ("马", 1.2), ("朱", 1.1),
    ("胡", 1.0), ("郭", 1.0), ("何", 0.9), ("高", 0.9), ("林", 0.9), ("罗", 0.8), ("郑", 0.8),
    ("梁", 0.7), ("谢", 0.6), ("宋", 0.6), ("唐", 0.6), ("许", 0.5), ("韩", 0.5), ("冯", 0.5),
    ("邓", 0.5), ("曹", 0.5), ("彭", 0.4), ("曾", 0.4), ("肖", 0.4), ("田", 0.4), ("董", 0.4),
    ("袁", 0.4), ("潘", 0.3), ("于", 0.3), ("蒋", 0.3), ("蔡", 0.3), ("余", 0.3), ("杜", 0.3),
    ("叶", 0.3), ("程", 0.3), ("苏", 0.3), ("魏", 0.3), ("吕", 0.3), ("丁", 0.3), ("任", 0.3),
    ("沈", 0.2), ("姚", 0.2), ("卢", 0.2), ("姜", 0.2), ("崔", 0.2), ("钟", 0.2), ("谭", 0.2),
    ("陆", 0.2), ("汪", 0.2), ("范", 0.2), ("金", 0.2), ("石", 0.2), ("廖", 0.2), ("贾", 0.2),
    ("夏", 0.2), ("韦", 0.2), ("付", 0.2), ("方", 0.2), ("白", 0.2), ("邹", 0.2), ("孟", 0.2),
    ("单", 0.05), ("欧阳", 0.05), ("司马", 0.01),
)  # fmt: skip
MALE_CHARS = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林阳建国志坤峰亮"
FEMALE_CHARS = "芳娜敏静丽艳娟霞秀玲桂英红梅琳燕萍雪慧颖婷晶倩琴云洁佳欣悦怡雯璐蕾"
# Where members were born: mostly Beijing, then the provinces Beijing's workers come from.
BIRTH_REGIONS = (
    "110101", "110102", "110105", "110106", "110107", "110108", "110111", "110112", "110114",
    "110115", "130102", "130602", "131002", "140105", "370102", "371302", "410105", "410302",
    "411302", "420106", "430104", "510104", "340104", "230102", "210102", "150102", "620102",
)  # fmt: skip
PHONE_PREFIXES = ("130", "131", "132", "135", "136", "137", "138", "139", "150", "151", "152",
                  "155", "156", "158", "159", "176", "177", "180", "182", "185", "186", "187",
                  "188", "189", "199")  # fmt: skip
_DAYS = 16_000  # birth dates spread over ~44 years
_SEQ = 1000
_SPACE = _SEQ * _DAYS * len(BIRTH_REGIONS)
_STRIDE = 2_654_435_761  # odd and not a multiple of 5, 3 or 7: a permutation of [0, _SPACE)

HEADERS = ("姓名", "身份证号", "手机号", "统一社会信用代码", "工会代码", "入会时间")
FIELDS = ("name", "id_number", "phone", "employer_uscc", "org_code", "joined_on")


def member_id_number(i: int, *, oldest: date) -> str:
    j = (i * _STRIDE + 12345) % _SPACE
    seq, rest = j % _SEQ, j // _SEQ
    born = oldest + timedelta(days=rest % _DAYS)
    region = BIRTH_REGIONS[rest // _DAYS]
    first17 = f"{region}{born:%Y%m%d}{seq:03d}"
    return first17 + id_number_check_char(first17)


def generate_members(
    *, count: int, employers: Sequence[tuple[str, str, date | None]], seed: int, today: date
) -> Iterator[tuple[str, ...]]:
    """Yield (name, id_number, phone, employer_uscc, org_code, joined_on) rows.

    `employers` are (uscc, union code, opened_on) of employers that have a union.
    """
    rng = random.Random(seed)
    surnames = [s for s, _w in SURNAMES]
    weights = [w for _s, w in SURNAMES]
    oldest = date(today.year - 62, 1, 1)
    for i in range(count):
        id_number = member_id_number(i + seed * 7_919_191, oldest=oldest)
        male = int(id_number[16]) % 2 == 1
        pool = MALE_CHARS if male else FEMALE_CHARS
        given = rng.choice(pool) + (rng.choice(pool) if rng.random() < 0.7 else "")
        name = rng.choices(surnames, weights)[0] + given
        phone = ""
        if rng.random() < 0.6:
            phone = rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"
        uscc, org_code, opened = employers[rng.randrange(len(employers))]
        born = date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
        earliest = max(opened or date(1990, 1, 1), date(born.year + 18, 1, 1), date(1990, 1, 1))
        joined = ""
        if earliest < today:
            joined = (earliest + timedelta(days=rng.randrange((today - earliest).days))).isoformat()
        yield name, id_number, phone, uscc, org_code, joined


def as_raw_rows(rows: Iterator[tuple[str, ...]]) -> Iterator[tuple[int, list[str]]]:
    """Rows as the import's parse stage yields them (spreadsheet row numbers from 2); cells in
    FIELDS order."""
    for number, row in enumerate(rows, start=2):
        yield number, list(row)
