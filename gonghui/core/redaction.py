"""Masking of resident ID numbers and mobile numbers inside free text.

Staff type reasons ("called 13812345678 back"); an audit entry must never keep the full value,
so whatever looks like one is masked before the entry is written. "Looks like" is the shape,
not the checksum: a mistyped number is still personal data. A match must stand on its own
(no letter or digit either side), so hashes, USCCs and card numbers are left alone.
"""

import re
from typing import Any

from gonghui.core.pii import mask_id_number, mask_phone

_EDGE_BEFORE = r"(?<![0-9A-Za-z])"
_EDGE_AFTER = r"(?![0-9A-Za-z])"
_DATE = r"(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
# GB 11643: 6-digit region, birth date (yyyymmdd), 3-digit sequence, check digit or X;
# the old 15-digit form has a two-digit year and no check digit.
_ID_NUMBER = re.compile(
    rf"{_EDGE_BEFORE}(\d{{6}}(?:18|19|20)\d{{2}}{_DATE}\d{{3}}[\dXx]|\d{{8}}{_DATE}\d{{3}}){_EDGE_AFTER}"
)
# Mainland mobile numbers, optionally with +86/86 and written 138 1234 5678 or 138-1234-5678.
_MOBILE = re.compile(
    rf"{_EDGE_BEFORE}(?:\+?86[- ]?)?(1[3-9]\d)([- ]?)(\d{{4}})\2(\d{{4}}){_EDGE_AFTER}"
)


def _mask_id(match: re.Match[str]) -> str:
    return mask_id_number(match.group(1).upper())


def _mask_mobile(match: re.Match[str]) -> str:
    return mask_phone(match.group(1) + match.group(3) + match.group(4))


def redact_text(text: str) -> str:
    """`text` with every ID-number-like and mobile-like number masked."""
    if not any(ch.isdigit() for ch in text):
        return text
    return _MOBILE.sub(_mask_mobile, _ID_NUMBER.sub(_mask_id, text))


def redact_value(value: Any) -> Any:
    """A JSON value with every string in it (keys too) passed through `redact_text`."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {redact_text(str(k)): redact_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_value(v) for v in value]
    return value
