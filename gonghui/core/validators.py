"""Normalise and validate Chinese identifiers: resident ID numbers, credit codes, mobile numbers.

Written by hand rather than taken from python-stdnum so that every rejection carries a specific,
translatable reason that can be shown to the person who typed the value. Each `normalize_*`
function returns the canonical form or raises a subclass of `InvalidValue`; nothing else.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from operator import getitem
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class InvalidValue(ValueError):
    """A value a person typed is not acceptable; `reason` says why, in the active language."""

    def __init__(self, reason: "StrOrPromise") -> None:
        super().__init__(reason)
        self.reason = reason

    def __str__(self) -> str:
        return str(self.reason)


class InvalidIdNumber(InvalidValue):
    pass


class InvalidUscc(InvalidValue):
    pass


class InvalidMobile(InvalidValue):
    pass


def _format_lazy(message: "StrOrPromise", **params: object) -> "StrOrPromise":
    # `lazy_message % params` would translate right now; defer it so the reason is rendered in
    # whatever language is active when it is finally shown.
    return lazy(lambda: str(message) % params, str)()


def normalize_text(raw: str) -> str:
    """NFKC (full-width digits, letters and spaces become ASCII), strip, collapse whitespace."""
    if raw.isascii():  # the common case; NFKC changes nothing in ASCII
        return " ".join(raw.split())
    return " ".join(unicodedata.normalize("NFKC", raw).split())


def _first_not_in(text: str, allowed: str) -> int | None:
    """Index of the first character of `text` not in `allowed`, or None."""
    if allowed is _DIGITS and text.isascii() and text.isdigit():
        return None  # the common case, without a Python-level loop
    return next((i for i, char in enumerate(text) if char not in allowed), None)


# `str.isdigit()` and `int()` also accept non-ASCII digits such as "٣", so check membership.
_DIGITS = "0123456789"

# --- Resident ID number, GB 11643 (ISO 7064 MOD 11-2) ---

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"  # by the weighted sum mod 11
PROVINCE_PREFIXES = frozenset(
    f"{n:02d}"
    for n in [
        *range(11, 16),
        *range(21, 24),
        *range(31, 38),
        *range(41, 47),
        *range(50, 55),
        *range(61, 66),
        71,  # Taiwan
        81,  # Hong Kong
        82,  # Macao
        83,  # residence permits for Taiwan residents
        91,  # foreigners' permanent residence
    ]
)


# Per position, digit → weighted value: the check sums run in C through map(getitem) instead of
# a Python loop, which matters at millions of rows per import.
_ID_TABLES = tuple({str(d): d * w for d in range(10)} for w in ID_WEIGHTS)


def id_number_check_char(first17: str) -> str:
    if len(first17) != 17:
        raise ValueError("id_number_check_char needs the first 17 digits")
    try:
        total = sum(map(getitem, _ID_TABLES, first17))
    except KeyError:
        raise ValueError("id_number_check_char needs digits") from None
    return ID_CHECK_CHARS[total % 11]


def normalize_id_number(raw: str, *, today: date | None = None) -> str:
    """Return the canonical 18-character ID number (upper-case X) or raise InvalidIdNumber.

    15-digit numbers from before 1999 are converted: their 2-digit year is always 19xx.
    """
    number = normalize_text(raw).replace(" ", "").replace("x", "X")
    if not number:
        raise InvalidIdNumber(_("Enter an ID number."))
    if len(number) not in (15, 18):
        raise InvalidIdNumber(
            _format_lazy(
                _(
                    "An ID number must be 18 characters long (or 15 for an old-style number); "
                    "this one is %(length)d."
                ),
                length=len(number),
            )
        )
    bad = _first_not_in(number[:17], _DIGITS)
    if bad is None and number[17:] not in ("", "X", *_DIGITS):
        bad = 17
    if bad is not None:
        raise InvalidIdNumber(
            _format_lazy(
                _(
                    "An ID number may contain only digits and a final X; "
                    "“%(char)s” at position %(position)d is not allowed."
                ),
                char=number[bad],
                position=bad + 1,
            )
        )
    if len(number) == 15:
        first17 = number[:6] + "19" + number[6:]
        number = first17 + id_number_check_char(first17)

    if number[:2] not in PROVINCE_PREFIXES:
        raise InvalidIdNumber(
            _format_lazy(
                _("The ID number starts with %(prefix)s, which is not a province code."),
                prefix=number[:2],
            )
        )
    try:
        born = id_number_birth_date(number)
    except ValueError:
        raise InvalidIdNumber(
            _format_lazy(
                _("The birth date in the ID number (%(digits)s) is not a real date."),
                digits=number[6:14],
            )
        ) from None
    if born.year < 1900:
        raise InvalidIdNumber(
            _format_lazy(
                _("The birth year in the ID number (%(year)d) is before 1900."), year=born.year
            )
        )
    if born > (today or timezone.localdate()):
        raise InvalidIdNumber(
            _format_lazy(
                _("The birth date in the ID number (%(date)s) is in the future."),
                date=born.isoformat(),
            )
        )
    # Do not say which character was expected: that would let anyone "fix" a number they made up.
    if number[17] != id_number_check_char(number[:17]):
        raise InvalidIdNumber(
            _("The check digit of the ID number does not match; please look for a typo.")
        )
    return number


def id_number_birth_date(id18: str) -> date:
    """Birth date of a normalised 18-character ID number."""
    return date(int(id18[6:10]), int(id18[10:12]), int(id18[12:14]))


def id_number_gender(id18: str) -> str:
    """ "male" or "female", from the parity of the 17th digit of a normalised ID number."""
    return "male" if int(id18[16]) % 2 else "female"


def id_number_region(id18: str) -> str:
    """The 6-digit administrative division code at the start of a normalised ID number."""
    return id18[:6]


# --- Unified social credit code, GB 32100 ---

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # values 0..30; no I, O, S, V, Z
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)  # 3**i mod 31
_USCC_AUTHORITIES = "123456789ANY"


_USCC_TABLES = tuple({c: v * w for v, c in enumerate(USCC_CHARSET)} for w in USCC_WEIGHTS)
_USCC_SHAPE = re.compile(r"[1-9ANY][0-9A-HJ-NP-RTUWXY][0-9]{6}[0-9A-HJ-NP-RTUWXY]{10}")


def uscc_check_char(first17: str) -> str:
    if len(first17) != 17:
        raise ValueError("uscc_check_char needs the first 17 characters")
    try:
        total = sum(map(getitem, _USCC_TABLES, first17))
    except KeyError:
        raise ValueError("uscc_check_char needs characters of the USCC charset") from None
    return USCC_CHARSET[(31 - total % 31) % 31]


@dataclass(frozen=True)
class UsccResult:
    code: str
    # False for a structurally valid code whose check character does not match. Some codes issued
    # during the early pilots are like that and still in use, so callers warn instead of refusing.
    check_ok: bool


def normalize_uscc(raw: str) -> UsccResult:
    """Return the canonical credit code and whether its check character matches.

    Raises InvalidUscc for anything that cannot be a credit code at all.
    """
    code = normalize_text(raw).replace(" ", "").upper()
    if _USCC_SHAPE.fullmatch(code):  # the common case: every structural check passes at once
        return UsccResult(code=code, check_ok=code[17] == uscc_check_char(code[:17]))
    if not code:
        raise InvalidUscc(_("Enter a unified social credit code."))
    if len(code) != 18:
        raise InvalidUscc(
            _format_lazy(
                _(
                    "A unified social credit code must be 18 characters long; "
                    "this one is %(length)d."
                ),
                length=len(code),
            )
        )
    bad = _first_not_in(code, USCC_CHARSET)
    if bad is not None:
        raise InvalidUscc(
            _format_lazy(
                _(
                    "“%(char)s” at position %(position)d is not allowed in a unified social "
                    "credit code (the letters I, O, S, V and Z are never used)."
                ),
                char=code[bad],
                position=bad + 1,
            )
        )
    if code[0] not in _USCC_AUTHORITIES:
        raise InvalidUscc(
            _format_lazy(
                _(
                    "A unified social credit code cannot start with “%(char)s”; "
                    "the first character must be 1–9, A, N or Y."
                ),
                char=code[0],
            )
        )
    if _first_not_in(code[2:8], _DIGITS) is not None:
        raise InvalidUscc(
            _(
                "Characters 3 to 8 of a unified social credit code are the region code "
                "and must be digits."
            )
        )
    return UsccResult(code=code, check_ok=code[17] == uscc_check_char(code[:17]))


# --- Mainland mobile numbers ---

_MOBILE_RE = re.compile(r"1[3-9][0-9]{9}")


def normalize_mobile(raw: str) -> str:
    """Return the 11-digit mainland mobile number or raise InvalidMobile."""
    number = normalize_text(raw).replace(" ", "").replace("-", "")
    if not number:
        raise InvalidMobile(_("Enter a mobile number."))
    if number.startswith("+"):
        if not number.startswith("+86"):
            raise InvalidMobile(_("Only mainland China mobile numbers (+86) are accepted."))
        number = number[3:]
    elif number.startswith("0086"):
        number = number[4:]
    elif number.startswith("86") and len(number) == 13:
        # A bare 86 is only a country code when 11 digits follow it.
        number = number[2:]
    if _first_not_in(number, _DIGITS) is not None:
        raise InvalidMobile(_("A mobile number may contain only digits, spaces and hyphens."))
    if len(number) != 11:
        raise InvalidMobile(
            _format_lazy(
                _("A mobile number has 11 digits; this one has %(length)d."), length=len(number)
            )
        )
    if not _MOBILE_RE.fullmatch(number):
        raise InvalidMobile(_("A mainland mobile number starts with 13 to 19."))
    return number
