"""PostgreSQL's binary `COPY` format, column by column (https://www.postgresql.org/docs/current/
sql-copy.html, "Binary Format").

A row is a 16-bit field count and its fields, each a 32-bit length (-1 for NULL) and the value
in the type's binary form: UTF-8 bytes for text and varchar, a 64-bit integer for bigint, the
days since 2000-01-01 as a 32-bit integer for a date. The server takes these as they are, with
none of the text format's splitting, unescaping and parsing (a sixth to a third less of its
time for the member registry's rows). Bulk writers build each column's fields with `map` over whole
columns, then join each row's fields.
"""

import struct
from collections.abc import Callable, Iterable
from datetime import date
from itertools import repeat
from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")

HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)  # signature, flags, no extension
TRAILER = struct.pack(">h", -1)
NULL = struct.pack(">i", -1)
_LENGTH = struct.Struct(">i").pack
_BIGINT = struct.Struct(">iq").pack  # the length (8) and the value
_DATE = struct.Struct(">ii").pack  # the length (4) and the days since 2000-01-01
_ROW_AND_BIGINT = struct.Struct(">hiq").pack  # a row's field count, then its first field
_EPOCH = date(2000, 1, 1).toordinal()


def row_start(fields: int) -> bytes:
    """What starts a row of this many fields."""
    return struct.pack(">h", fields)


def texts(values: Iterable[str]) -> list[list[bytes]]:
    """Text fields, none NULL, as two columns to be joined row by row: each value's length and
    its bytes (a join of one more part a row costs less than a pass that concatenates them)."""
    encoded = list(map(str.encode, values))
    return [list(map(_LENGTHS.__getitem__, map(len, encoded))), encoded]


def text(value: str) -> bytes:
    encoded = value.encode()
    return _LENGTH(len(encoded)) + encoded


def bigints(values: Iterable[int]) -> list[bytes]:
    """bigint fields, none NULL."""
    return list(map(_BIGINT, repeat(8), values))


def rows_of_bigints(fields: int, values: Iterable[int]) -> list[bytes]:
    """The start of rows of `fields` fields whose first is a bigint (these values)."""
    return list(map(_ROW_AND_BIGINT, repeat(fields), repeat(8), values))


def bigint(value: int | None) -> bytes:
    return NULL if value is None else _BIGINT(8, value)


def iso_date(value: str | None) -> bytes:
    """A date field from its ISO spelling (YYYY-MM-DD), or NULL."""
    if value is None:
        return NULL
    return _DATE(4, date.fromisoformat(value).toordinal() - _EPOCH)


class Memo(dict[K, V]):
    """key → `make(key)`, each made when first asked for: for columns whose values repeat
    (dates, regions, a field's length), one dict lookup a row, by `map` of `__getitem__`."""

    def __init__(self, make: Callable[[K], V]) -> None:
        super().__init__()
        self._make = make

    def __missing__(self, key: K) -> V:
        value = self[key] = self._make(key)
        return value


_LENGTHS: Memo[int, bytes] = Memo(_LENGTH)  # a field's length → its 4 bytes
