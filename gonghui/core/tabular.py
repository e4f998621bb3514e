"""Stage one of every staged import: turn an uploaded CSV or spreadsheet into normalised rows.

parse (here) → validate every row → set-based write → report (`write_error_report`, here too).

CSV is streamed record by record, so memory stays flat however long the file is. Spreadsheets go
through calamine, which materialises the whole first sheet in Rust memory (there is no streaming
reader for XLSX in it); we then walk its rows lazily without building Python lists of them all.
"""

from __future__ import annotations

import codecs
import csv
import functools
import io
import itertools
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from operator import itemgetter
from pathlib import Path
from typing import Any

import python_calamine
import xlsxwriter
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

SAMPLE_SIZE = 64 * 1024
# Zip (XLSX, XLSM, XLSB, ODS) and OLE2 (XLS) signatures; anything else is treated as CSV text.
_SPREADSHEET_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
# Header decorations people add to templates: "统一社会信用代码*", "名称（必填）" (NFKC turns the
# full-width brackets into ASCII ones before this runs).
_HEADER_MARKERS = re.compile(r"(?:\*|\(必填\))+$")


class FileUnreadable(Exception):
    """The file itself cannot be read (not a row problem). .reason is a lazy translated message."""

    def __init__(self, reason: Any) -> None:
        super().__init__(reason)
        self.reason = reason

    def __str__(self) -> str:
        return str(self.reason)


@dataclass(frozen=True)
class Column:
    field: str
    aliases: tuple[str, ...]
    required: bool = False

    @property
    def label(self) -> str:
        """How a missing column is named to the user: first alias plus the field name."""
        return f"{self.aliases[0]} ({self.field})" if self.aliases else self.field


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    value: str
    reason: str
    cells: Sequence[str] = ()


def _header_key(text: str) -> str:
    key = "".join(unicodedata.normalize("NFKC", text).split()).casefold()
    return _HEADER_MARKERS.sub("", key)


def clean(text: str) -> str:
    """NFKC, strip, collapse inner whitespace runs to one space."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return " ".join(text.split())


def _cell_text(value: object) -> str:
    """A calamine cell as the text the user sees (dates as ISO, whole numbers without ".0")."""
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        if value.is_integer():
            # Exact integer of the stored double: a long code typed as a number has already lost
            # its last digits inside Excel, nothing here can bring them back.
            return str(int(value))
        return format(value, ".15g")  # Excel itself shows 15 significant digits
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return "" if value is None else str(value)


def _sheet_cells(row: list[Any]) -> list[str]:
    return [c if type(c) is str else _cell_text(c) for c in row]


def _is_blank(cells: list[str]) -> bool:
    joined = "".join(cells)
    return not joined or joined.isspace()


# No cell of an import template spans this many lines; an open quote that does is a stray one.
_MAX_RECORD_LINES = 200


@dataclass(frozen=True)
class CsvDialect:
    encoding: str
    delimiter: str


@dataclass(frozen=True)
class TextChunk:
    """Whole CSV records as text, to be parsed elsewhere (`parse_text_chunk`): `first` is the
    number of its first record, `records` how many records the reader counted in it. A chunk
    of a plain file comes as its bytes (`data`, in `encoding`), decoded where it is parsed."""

    first: int
    text: str
    records: int
    data: bytes = b""
    encoding: str = ""

    def decoded(self) -> TextChunk:
        """The chunk as text; raises FileUnreadable (its reason already translated, to cross
        process boundaries) naming the first line that does not decode."""
        if not self.data:
            return self
        try:
            text = self.data.decode(self.encoding)
        except UnicodeDecodeError as exc:
            line = self.first + self.data.count(b"\n", 0, exc.start)
            raise FileUnreadable(str(_damaged_near(line))) from None
        return TextChunk(self.first, text, self.records)

    def line_ends(self) -> int:
        return self.data.count(b"\n") if self.data else self.text.count("\n")


def _ramped(size: int) -> Iterator[int]:
    """Chunk sizes: an eighth, a quarter and a half of `size` first, then `size` for ever. The
    pipeline of a large import (validate in workers → write) only starts once the first chunk
    is validated: a small one gets the database working sooner."""
    for part in (8, 4, 2):
        yield max(size // part, 1)
    yield from itertools.repeat(size)


@dataclass(frozen=True)
class SheetChunk:
    """Rows `first` to `last` (spreadsheet row numbers) of a spreadsheet's data, to be read by
    the process that validates them (`SheetRows`)."""

    first: int
    last: int


class SheetRows:
    """Reads a spreadsheet's SheetChunks as (row number, cells) of its non-blank rows. Each
    process reading chunks keeps one: met in ascending order, as a pool hands them out, the
    chunks of the whole sheet cost one walk over its rows, skipping the others' in C."""

    def __init__(self, sheet: Any) -> None:
        self._sheet = sheet
        self._rows: Iterator[list[Any]] | None = None
        self._next = 1  # the row number self._rows yields next

    def __call__(self, chunk: SheetChunk) -> list[tuple[int, list[str]]]:
        if self._rows is None or chunk.first < self._next:  # from the top (again)
            self._rows, self._next = iter(self._sheet.iter_rows()), 1
        wanted = itertools.islice(self._rows, chunk.first - self._next, chunk.last - self._next + 1)
        self._next = chunk.last + 1
        rows = []
        for number, row in enumerate(wanted, start=chunk.first):
            cells = _sheet_cells(row)
            if not _is_blank(cells):
                rows.append((number, cells))
        return rows


class Table:
    def __init__(
        self,
        path: Path,
        headers: list[str],
        fields: dict[str, int],
        header_row: int,
        records: Callable[[], Iterator[list[str]]],
        csv_dialect: CsvDialect | None = None,
        sheet: Any = None,
    ) -> None:
        self.path = path
        self.headers = headers
        self.fields = fields
        self.csv_dialect = csv_dialect
        self._header_row = header_row
        self._records = records  # fresh iterator over every record from row 1, blanks included
        self._width = max(fields.values(), default=-1) + 1
        self._sheet = sheet  # a spreadsheet's calamine sheet

    def sheet_chunks(self, size: int) -> Iterator[SheetChunk]:
        """Spreadsheets only: the data rows in chunks of `size` rows (blank ones included), to
        be read with `sheet_rows()` where they are validated."""
        assert self._sheet is not None, "sheet_chunks() reads spreadsheets only"
        end = self._sheet.end
        last_row = end[0] + 1 if end else 0
        first = self._header_row + 1
        for chunk_size in _ramped(size):
            if first > last_row:
                return
            yield SheetChunk(first, min(first + chunk_size - 1, last_row))
            first += chunk_size

    def sheet_rows(self) -> SheetRows:
        assert self._sheet is not None, "sheet_rows() reads spreadsheets only"
        return SheetRows(self._sheet)

    def raw_rows(self) -> Iterator[tuple[int, list[str]]]:
        """Yield (row_number, original cells as strings) for each non-blank data row."""
        header_row = self._header_row
        for number, cells in enumerate(self._records(), start=1):
            if number > header_row and not _is_blank(cells):
                yield number, cells

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        """Yield (row_number, {field: normalised text}) for each non-blank data row.

        row_number is what the user sees in the spreadsheet (header is row 1 when it is on top);
        blank rows are skipped but still counted.
        """
        for number, values, _cells in self.records():
            yield number, values

    def records(self) -> Iterator[tuple[int, dict[str, str], list[str]]]:
        """One pass yielding (row_number, normalised values, original cells) — what imports need
        to validate a row and still quote it unchanged in the error report."""
        items = tuple(self.fields.items())
        width = self._width
        for number, cells in self.raw_rows():
            padded = cells + [""] * (width - len(cells)) if len(cells) < width else cells
            yield number, {field: clean(padded[index]) for field, index in items}, cells

    def text_chunks(self, size: int) -> Iterator[TextChunk]:
        """CSV files only: the data records in chunks of about `size`, as text.

        Splitting text is far cheaper than parsing it, so a large import parses in its worker
        processes. A record ends at a line end outside quotes: a line with an odd number of
        quote characters opens or closes a quoted field that goes on over the line end. (A
        stray quote inside an unquoted field, which the csv module takes literally, makes the
        count here differ from the parser's, and the "quoted field" would never end: after
        _MAX_RECORD_LINES lines it is taken as ended. `TextChunk.records` lets the caller notice the
        difference and renumber the chunks that follow.)
        """
        assert self.csv_dialect is not None, "text_chunks() reads CSV files only"
        if not self._needs_care:
            yield from self._plain_chunks(size)
            return
        number, lines, first, inside, spanned = 0, [], self._header_row + 1, False, 0
        sizes = _ramped(size)
        size = next(sizes)
        with self.path.open(encoding=self.csv_dialect.encoding, newline="") as f:
            try:
                for line in f:
                    if '"' in line and line.count('"') % 2:
                        inside = not inside
                    if number >= self._header_row:
                        lines.append(line)
                    if inside:
                        spanned += 1
                        if spanned < _MAX_RECORD_LINES:
                            continue
                        inside = False  # no real field spans that many lines: a stray quote
                    spanned = 0
                    number += 1
                    if number - first + 1 >= size:
                        yield TextChunk(first, "".join(lines), number - first + 1)
                        lines, first, size = [], number + 1, next(sizes)
            except UnicodeDecodeError:
                raise self._undecodable() from None
        if lines:
            yield TextChunk(first, "".join(lines), number - first + 1 + inside)

    def _undecodable(self) -> FileUnreadable:
        """The error of a CSV file that does not decode, naming the first line that does not
        (the text reader fails a whole buffer later)."""
        assert self.csv_dialect is not None
        decoder = codecs.getincrementaldecoder(self.csv_dialect.encoding)()
        line = 1  # past the last one when only the end of the file is cut short
        with self.path.open("rb") as f:
            for raw in f:
                try:
                    decoder.decode(raw)
                except UnicodeDecodeError:
                    break
                line += 1
        return FileUnreadable(_damaged_near(line))

    @functools.cached_property
    def _needs_care(self) -> bool:
        """Whether the file must be cut line by line: it may hold a quote character or a lone
        carriage return (which also ends a line), or it is UTF-16, whose characters hold other
        bytes than their own (no multibyte character of UTF-8 or GB18030 holds an ASCII byte).
        Read once per table: a staged import cuts the file twice."""
        assert self.csv_dialect is not None
        if self.csv_dialect.encoding.startswith("utf-16"):
            return True
        cr = b""  # a carriage return that ended the last block, whose line feed may follow
        with self.path.open("rb") as f:
            while block := f.read(_SCAN_BYTES):
                block, cr = cr + block, b""
                if block.endswith(b"\r"):
                    block, cr = block[:-1], b"\r"
                if b'"' in block or (b"\r" in block and _LONE_CR.search(block)):
                    return True
        return bool(cr)

    def _plain_chunks(self, size: int) -> Iterator[TextChunk]:
        """`text_chunks` of a file without a quote character or a lone carriage return: each
        line is a record, so the file is read in large blocks of bytes (a line feed byte is
        never part of a UTF-8 or GB18030 character) and cut at a line end near every `size`
        lines' worth of bytes, with no Python object per line. The chunks go as bytes, decoded
        where they are parsed (`TextChunk.decoded`): a worker process, not the importing one."""
        assert self.csv_dialect is not None
        encoding = self.csv_dialect.encoding
        encoding = "utf-8" if encoding == "utf-8-sig" else encoding  # the BOM is the header's
        sizes = _ramped(size)
        first, size = self._header_row + 1, next(sizes)
        pending, skip, line_bytes = b"", self._header_row, 0.0
        with self.path.open("rb") as f:
            while block := f.read(_BATCH_BYTES):
                pending += block
                if skip:
                    ends = min(skip, pending.count(b"\n"))
                    pending, skip = pending[_after_line_ends(pending, ends) :], skip - ends
                    if skip:
                        continue
                # The bytes of a line, from the first data read: chunks of about `size` lines.
                line_bytes = line_bytes or len(pending) / max(pending.count(b"\n"), 1)
                while len(pending) >= (target := max(int(size * line_bytes), 1)):
                    cut = pending.rfind(b"\n", 0, target) + 1 or pending.find(b"\n", target) + 1
                    if not cut:
                        break  # a line longer than the chunk: read on
                    yield self._plain_chunk(first, pending[:cut], encoding)
                    first, pending, size = (
                        first + pending.count(b"\n", 0, cut),
                        pending[cut:],
                        next(sizes),
                    )
        if pending and not skip:
            yield self._plain_chunk(first, pending, encoding)

    @staticmethod
    def _plain_chunk(first: int, data: bytes, encoding: str) -> TextChunk:
        records = data.count(b"\n") + (not data.endswith(b"\n"))
        return TextChunk(first, "", records, data=data, encoding=encoding)


def _after_line_ends(data: bytes, count: int) -> int:
    """The position just after the `count`-th line end of the data (which has that many)."""
    at = 0
    for _line in range(count):
        at = data.index(b"\n", at) + 1
    return at


_SCAN_BYTES = 1 << 20  # read at once by `Table._needs_care`
# A carriage return not followed by a line feed (a block's last byte is held back for the next):
# found in half the time of counting both, in a file written by Excel, whose lines end CR LF.
_LONE_CR = re.compile(rb"\r(?!\n)")
_BATCH_BYTES = 1 << 20  # read at once by `Table._plain_chunks` (about 13 000 member rows)


def _damaged_near(line: int) -> Any:
    """The reason a text file cannot be read, near this line (lazily translated)."""
    return format_lazy(_("The file is damaged or not valid text near line {line}."), line=line)


def parse_text_chunk(chunk: TextChunk, delimiter: str) -> tuple[list[tuple[int, list[str]]], int]:
    """(row number, cells) of each non-blank record of a TextChunk, and how many records it
    held. An unreadable record raises FileUnreadable with a plain (already translated) text, so
    the error can cross process boundaries."""
    numbers, cells, count = parse_text_chunk_columns(chunk, delimiter)
    return list(zip(numbers, cells, strict=True)), count


def parse_text_chunk_columns(
    chunk: TextChunk, delimiter: str
) -> tuple[list[int], list[list[str]], int]:
    """`parse_text_chunk` as two lists: the row numbers and the cells of each row."""
    chunk = chunk.decoded()
    lines = _plain_lines(chunk.text)
    if lines is not None:
        return _split_lines(lines, chunk.first, delimiter)
    reader = csv.reader(io.StringIO(chunk.text, newline=""), delimiter=delimiter)
    numbers, rows, count = [], [], 0
    try:
        for count, cells in enumerate(reader, start=1):
            if not _is_blank(cells):
                numbers.append(chunk.first + count - 1)
                rows.append(cells)
    except csv.Error:
        raise FileUnreadable(str(_damaged_near(chunk.first + count))) from None
    return numbers, rows, count


def text_chunk_columns(
    chunk: TextChunk, delimiter: str, width: int
) -> tuple[list[int], list[list[str]], int]:
    """`parse_text_chunk_columns` column by column: the row numbers, the first `width` columns
    (a short row's missing cells empty) and the records. A quote-free chunk whose lines all
    hold as many cells, none blank, is split into cells at once and cut into columns by slices,
    with no Python object per line but its text."""
    chunk = chunk.decoded()
    lines = _plain_lines(chunk.text)
    if lines is None:
        numbers, rows, records = parse_text_chunk_columns(chunk, delimiter)
        return numbers, columns_of(rows, width), records
    counts = set(map(str.count, lines, itertools.repeat(delimiter)))
    if len(counts) != 1 or not _none_blank(lines, delimiter):
        numbers, rows, records = _split_lines(lines, chunk.first, delimiter)
        return numbers, columns_of(rows, width), records
    per_line, count = counts.pop() + 1, len(lines)
    cells = delimiter.join(lines).split(delimiter)
    columns = [cells[at::per_line] for at in range(min(per_line, width))]
    columns += [[""] * count for _column in range(width - per_line)]
    return list(range(chunk.first, chunk.first + count)), columns, count


def columns_of(rows: list[list[str]], width: int) -> list[list[str]]:
    """The first `width` columns of the rows (a short row's missing cells are empty)."""
    if not rows:
        return [[] for _column in range(width)]
    if min(map(len, rows)) < width:
        padding = [""] * width
        rows = [row if len(row) >= width else row + padding for row in rows]
    return [list(column) for column in itertools.islice(zip(*rows, strict=False), width)]


def _plain_lines(text: str) -> list[str] | None:
    """The lines of text without a quote, NUL or lone carriage return, where the csv module
    would only split lines and cells (`str.split` does it five times faster); None for other
    text. Lines that all end in CR LF (a file written by Excel) are split on it without a copy."""
    if '"' in text or "\x00" in text:
        return None
    if "\r" in text:
        lines = text.split("\r\n")
        # Every CR and LF was one of the line ends split on: no lone one inside a line.
        if not text.count("\r") == text.count("\n") == len(lines) - 1:
            text = text.replace("\r\n", "\n")
            if "\r" in text:  # a lone carriage return also ends a record for the csv module
                return None
            lines = text.split("\n")
    else:
        lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines


def _none_blank(lines: list[str], delimiter: str) -> bool:
    """No line is blank: each starts with a character that is neither the delimiter nor a space
    (usually all of them, told by one set of first characters)."""
    if "" in lines:
        return False
    starts = set(map(_FIRST_CHARACTER, lines))
    return delimiter not in starts and not any(map(str.isspace, starts))


def _split_lines(
    lines: list[str], first: int, delimiter: str
) -> tuple[list[int], list[list[str]], int]:
    """The row numbers and cells of the non-blank lines, and how many lines there were."""
    if _none_blank(lines, delimiter):
        cells = list(map(str.split, lines, itertools.repeat(delimiter)))
        return list(range(first, first + len(lines))), cells, len(lines)
    numbers, rows = [], []
    for offset, line in enumerate(lines):
        # Blank: nothing but delimiters and whitespace (the first character usually tells).
        if line and (
            (line[0] != delimiter and not line[0].isspace()) or line.replace(delimiter, "").strip()
        ):
            numbers.append(first + offset)
            rows.append(line.split(delimiter))
    return numbers, rows, len(lines)


_FIRST_CHARACTER = itemgetter(0)


def _csv_encoding(path: Path) -> str:
    with path.open("rb") as f:
        sample = f.read(SAMPLE_SIZE)
        whole = len(sample) < SAMPLE_SIZE
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith(_UTF16_BOMS):  # Excel's "Unicode text" export
        return "utf-16"
    if b"\x00" in sample:
        raise FileUnreadable(_("The file is not a spreadsheet or a CSV text file."))
    for encoding in ("utf-8", "gb18030"):
        # Incremental decoding with final=False tolerates a multibyte character cut by the sample.
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            decoder.decode(sample, final=whole)
        except UnicodeDecodeError:
            continue
        return encoding
    raise FileUnreadable(
        _("The text encoding of the file is not recognised; save it as UTF-8 or GBK CSV.")
    )


def _csv_delimiter(path: Path, encoding: str) -> str:
    with path.open(encoding=encoding, errors="replace", newline="") as f:
        for line in f:
            if line.strip():
                counts = {d: line.count(d) for d in (",", "\t", ";")}
                best = max(counts, key=counts.__getitem__)
                return best if counts[best] else ","
    return ","


def _csv_dialect(path: Path) -> CsvDialect:
    encoding = _csv_encoding(path)
    return CsvDialect(encoding, _csv_delimiter(path, encoding))


def _csv_records(path: Path, dialect: CsvDialect) -> Callable[[], Iterator[list[str]]]:
    def records() -> Iterator[list[str]]:
        with path.open(encoding=dialect.encoding, newline="") as f:
            reader = csv.reader(f, delimiter=dialect.delimiter)
            try:
                yield from reader
            except (UnicodeDecodeError, csv.Error):
                # Damage past the sampled start of the file only shows up here, mid-stream.
                raise FileUnreadable(_damaged_near(reader.line_num + 1)) from None

    return records


def _is_parser_failure(exc: BaseException) -> bool:
    # calamine parses untrusted bytes: any error it raises means "unreadable file". A Rust panic
    # surfaces as pyo3's PanicException, which derives from BaseException, so name-match it.
    return isinstance(exc, Exception) or type(exc).__name__ == "PanicException"


# Spreadsheets being read ahead (`read_ahead`): resolved path → (size and time the file had
# then, the first sheet or the reason it is unreadable).
_read_ahead: dict[Path, tuple[tuple[int, int], Future[Any]]] = {}


def _stamp(path: Path) -> tuple[int, int]:
    status = path.stat()
    return status.st_size, status.st_mtime_ns


def read_ahead(path: Path) -> None:
    """Start reading a spreadsheet's first sheet in a thread, for `open_table` of the same file
    to take later. python-calamine parses the whole sheet at once, seconds for a large one, and
    lets go of the GIL meanwhile: the console script starts it before Django is set up, so that
    the two overlap."""
    try:
        with path.open("rb") as f:
            if not f.read(8).startswith(_SPREADSHEET_MAGIC):
                return
        stamp = _stamp(path)
    except OSError:
        return
    future: Future[Any] = Future()

    def read() -> None:
        try:
            future.set_result(_read_sheet(path))
        except BaseException as exc:  # handed to the reader, who raises it
            future.set_exception(exc)

    _read_ahead[path.resolve()] = (stamp, future)
    threading.Thread(target=read, name="read-ahead", daemon=True).start()


def _sheet(path: Path) -> Any:
    """The first sheet: read ahead, unless the file has changed since, else read now."""
    ahead = _read_ahead.pop(path.resolve(), None)
    if ahead is not None:
        stamp, future = ahead
        future.exception()  # waits for the read, whatever its outcome
        if stamp == _stamp(path):
            return future.result()  # the sheet, or the reason it is unreadable raised
    return _read_sheet(path)


def _read_sheet(path: Path) -> Any:
    try:
        with path.open("rb") as f:
            workbook = python_calamine.CalamineWorkbook.from_filelike(f)
        sheet = workbook.get_sheet_by_index(0)
        workbook.close()  # the sheet keeps its own data; drop the file buffer
    except BaseException as exc:
        if not _is_parser_failure(exc):
            raise
        raise FileUnreadable(_("The file is not a readable spreadsheet.")) from None
    return sheet


def _sheet_records(sheet: Any) -> Callable[[], Iterator[list[str]]]:
    def records() -> Iterator[list[str]]:
        # iter_rows yields one list per sheet row from row 1, padding rows above the data with
        # empty cells, so enumerating it gives spreadsheet row numbers.
        return map(_sheet_cells, sheet.iter_rows())

    return records


def open_table(path: Path | str, columns: Sequence[Column]) -> Table:
    path = Path(path)
    try:
        with path.open("rb") as f:
            head = f.read(8)
    except OSError:
        raise FileUnreadable(_("The file does not exist or cannot be opened.")) from None
    if not head:
        raise FileUnreadable(_("The file is empty."))

    spreadsheet = head.startswith(_SPREADSHEET_MAGIC)
    dialect = sheet = None
    if spreadsheet:
        sheet = _sheet(path)
        records = _sheet_records(sheet)
    else:
        dialect = _csv_dialect(path)
        records = _csv_records(path, dialect)

    header_row, headers = 0, None
    for number, cells in enumerate(records(), start=1):
        if not _is_blank(cells):
            header_row, headers = number, cells
            break
    if headers is None:
        raise FileUnreadable(_("The file has no header row."))

    by_key: dict[str, str] = {}
    for column in columns:
        for alias in column.aliases:
            by_key[_header_key(alias)] = column.field
    fields: dict[str, int] = {}
    for index, header in enumerate(headers):
        field = by_key.get(_header_key(header))
        if field is None:
            continue  # unknown extra column: ignored, still visible in raw_rows
        if field in fields:
            raise FileUnreadable(
                format_lazy(
                    _("Columns “{first}” and “{second}” are the same field; keep only one."),
                    first=headers[fields[field]],
                    second=header,
                )
            )
        fields[field] = index

    missing = [c.label for c in columns if c.required and c.field not in fields]
    if missing:
        raise FileUnreadable(
            format_lazy(_("Missing required columns: {columns}"), columns=", ".join(missing))
        )
    return Table(path, headers, fields, header_row, records, dialect, sheet)


_SEPARATED_DATE = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})", re.ASCII)
_CHINESE_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日?", re.ASCII)
_EXCEL_EPOCH = date(1899, 12, 30)  # serial 61 onwards; Excel pretends 1900-02-29 (serial 60) exists
_EXCEL_MAX_SERIAL = 2958465  # 9999-12-31


def parse_date(value: str) -> date:
    """Parse the date formats people type into Chinese spreadsheets; ValueError otherwise."""
    text = unicodedata.normalize("NFKC", value).strip()
    text = text.split(" ", 1)[0]  # a time part after a space is ignored
    try:
        if text.isascii() and text.isdigit():
            if len(text) == 8:
                return date(int(text[:4]), int(text[4:6]), int(text[6:]))
            serial = int(text)
            if 61 <= serial <= _EXCEL_MAX_SERIAL:
                return _EXCEL_EPOCH + timedelta(days=serial)
            if 1 <= serial < 60:
                return _EXCEL_EPOCH + timedelta(days=serial + 1)
        elif match := _SEPARATED_DATE.fullmatch(text):
            return date(int(match[1]), int(match[3]), int(match[4]))
        elif match := _CHINESE_DATE.fullmatch(text):
            return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        pass
    raise ValueError(f"not a valid date: {value!r}")


_REPORT_ROW = pgettext_lazy("import error report header", "Row")
_REPORT_COLUMN = pgettext_lazy("import error report header", "Column")
_REPORT_VALUE = pgettext_lazy("import error report header", "Value")
_REPORT_REASON = pgettext_lazy("import error report header", "Reason")


def _display_width(text: str) -> int:
    # CJK characters take about two Latin character widths in Excel.
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def write_error_report(path: Path, headers: Sequence[str], errors: Iterable[RowError]) -> Path:
    """Write one XLSX line per error: row number, the original row, column, value, reason."""
    path = Path(path)
    width = len(headers)
    labels = [str(_REPORT_ROW), *headers]
    labels += [str(_REPORT_COLUMN), str(_REPORT_VALUE), str(_REPORT_REASON)]
    # constant_memory flushes each row to disk as soon as the next one starts.
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    try:
        sheet = workbook.add_worksheet()
        bold = workbook.add_format({"bold": True})
        for index, label in enumerate(labels):
            sheet.set_column(index, index, min(max(_display_width(label) + 2, 8), 40))
        sheet.set_column(len(labels) - 1, len(labels) - 1, 60)
        sheet.freeze_panes(1, 0)
        for index, label in enumerate(labels):
            sheet.write_string(0, index, label, bold)

        for line, error in enumerate(errors, start=1):
            sheet.write_number(line, 0, error.row)
            # write_string, never write(): a cell like "=1+1" must stay text, not become a formula.
            for index, cell in enumerate(error.cells[:width], start=1):
                if cell:
                    sheet.write_string(line, index, str(cell))
            sheet.write_string(line, width + 1, error.column)
            sheet.write_string(line, width + 2, error.value)
            sheet.write_string(line, width + 3, str(error.reason))
    finally:
        workbook.close()
    return path
