import csv
import io
from datetime import date, datetime
from pathlib import Path
from unittest.mock import patch

import pytest
import xlsxwriter
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from gonghui.core import tabular
from gonghui.core.tabular import (
    SAMPLE_SIZE,
    Column,
    FileUnreadable,
    RowError,
    TextChunk,
    open_table,
    parse_date,
    parse_text_chunk,
    read_ahead,
    text_chunk_columns,
    write_error_report,
)

COLUMNS = (
    Column("name", ("名称", "name"), required=True),
    Column("uscc", ("统一社会信用代码", "uscc"), required=True),
    Column("members", ("会员人数", "members")),
)

CHINESE_CSV = (
    "名称,统一社会信用代码,会员人数\n"
    "福州市鼓楼区总工会,91350100MA2XXXXX1X,25\n"
    "厦门工会,91350200ABCDEFGH2Y,\n"
)
CHINESE_ROWS = [
    (2, {"name": "福州市鼓楼区总工会", "uscc": "91350100MA2XXXXX1X", "members": "25"}),
    (3, {"name": "厦门工会", "uscc": "91350200ABCDEFGH2Y", "members": ""}),
]


def write_csv(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "in.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def read_rows(path: Path, columns=COLUMNS) -> list:
    return list(open_table(path, columns).rows())


def write_xlsx(path: Path, rows: list[list], start_row: int = 0) -> Path:
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for r, row in enumerate(rows, start=start_row):
        for c, value in enumerate(row):
            if isinstance(value, date):
                sheet.write_datetime(r, c, value, date_format)
            elif isinstance(value, str):
                sheet.write_string(r, c, value)
            elif value is not None:
                sheet.write_number(r, c, value)
    workbook.close()
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_chinese_csv_reads_the_same_in_every_encoding(tmp_path, encoding):
    path = write_csv(tmp_path, CHINESE_CSV, encoding)

    assert read_rows(path) == CHINESE_ROWS


def test_gb18030_only_characters_are_read(tmp_path):
    # 𠀀 (CJK extension B) exists in GB18030 but not in GBK.
    path = write_csv(tmp_path, "名称,统一社会信用代码\n𠀀工会,X1\n", "gb18030")

    assert read_rows(path) == [(2, {"name": "𠀀工会", "uscc": "X1"})]


def test_utf8_character_cut_by_the_sample_boundary_is_still_utf8(tmp_path):
    header = "名称,统一社会信用代码\n"
    filler = "a" * (SAMPLE_SIZE - len(header.encode()) - 1)  # "福" starts 1 byte before the end
    path = write_csv(tmp_path, f"{header}{filler}福,X1\n")

    [(_, values)] = read_rows(path)

    assert values["name"].endswith("a福")


def test_english_headers_match_case_insensitively(tmp_path):
    path = write_csv(tmp_path, "Name,USCC,Members\nAcme Union,X1,3\n")

    assert read_rows(path) == [(2, {"name": "Acme Union", "uscc": "X1", "members": "3"})]


def test_header_markers_and_full_width_header_text_are_recognised(tmp_path):
    path = write_csv(tmp_path, "名称（必填）,统一社会信用代码*,ＭＥＭＢＥＲＳ (必填)\nA,X1,3\n")

    table = open_table(path, COLUMNS)

    assert table.fields == {"name": 0, "uscc": 1, "members": 2}
    assert table.headers == ["名称（必填）", "统一社会信用代码*", "ＭＥＭＢＥＲＳ (必填)"]


def test_spaces_inside_headers_are_ignored(tmp_path):
    path = write_csv(tmp_path, " 名 称 ,统一社会 信用代码\nA,X1\n")

    assert open_table(path, COLUMNS).fields == {"name": 0, "uscc": 1}


def test_extra_columns_are_ignored_but_kept_in_raw_rows(tmp_path):
    path = write_csv(tmp_path, "备注,名称,统一社会信用代码\nnote,A,X1\n")

    table = open_table(path, COLUMNS)

    assert list(table.rows()) == [(2, {"name": "A", "uscc": "X1"})]
    assert list(table.raw_rows()) == [(2, ["note", "A", "X1"])]


def test_full_width_digits_and_stray_spaces_are_normalised(tmp_path):
    path = write_csv(
        tmp_path,
        "名称,统一社会信用代码,会员人数\n  福州\u3000 总工会 ,９１３５０１００ＭＡ, ２５ \n",
    )

    assert read_rows(path) == [(2, {"name": "福州 总工会", "uscc": "91350100MA", "members": "25"})]


def test_raw_rows_keep_the_original_text(tmp_path):
    path = write_csv(tmp_path, "名称,统一社会信用代码\n  福州 ,９１\n")

    assert list(open_table(path, COLUMNS).raw_rows()) == [(2, ["  福州 ", "９１"])]


def test_short_rows_give_empty_strings_for_missing_cells(tmp_path):
    path = write_csv(tmp_path, "名称,统一社会信用代码,会员人数\nA\n")

    assert read_rows(path) == [(2, {"name": "A", "uscc": "", "members": ""})]


def test_row_numbers_count_blank_lines_without_yielding_them(tmp_path):
    path = write_csv(tmp_path, "名称,统一社会信用代码\nA,X1\n\n , \nB,X2\n,\n")

    assert [number for number, _ in read_rows(path)] == [2, 5]


def test_blank_lines_before_the_header_are_counted(tmp_path):
    path = write_csv(tmp_path, "\n\n名称,统一社会信用代码\nA,X1\n")

    assert [number for number, _ in read_rows(path)] == [4]


def test_quoted_multiline_cell_is_one_row_with_collapsed_whitespace(tmp_path):
    path = write_csv(tmp_path, '名称,统一社会信用代码\n"福州\n总工会",X1\nB,X2\n')

    assert read_rows(path) == [
        (2, {"name": "福州 总工会", "uscc": "X1"}),
        (3, {"name": "B", "uscc": "X2"}),
    ]


@pytest.mark.parametrize("delimiter", ["\t", ";"])
def test_tab_and_semicolon_delimiters_are_sniffed(tmp_path, delimiter):
    text = CHINESE_CSV.replace(",", delimiter)
    path = write_csv(tmp_path, text, name="in.txt")

    assert read_rows(path) == CHINESE_ROWS


def test_utf16_text_export_is_read(tmp_path):
    path = write_csv(tmp_path, CHINESE_CSV.replace(",", "\t"), "utf-16")

    assert read_rows(path) == CHINESE_ROWS


def test_xlsx_cells_come_back_as_text(tmp_path):
    path = write_xlsx(
        tmp_path / "in.xlsx",
        [
            ["名称", "统一社会信用代码", "会员人数", "成立日期", "比例"],
            ["福州总工会", "91350100MA2XXXXX1X", 25.0, date(2024, 3, 5), 0.125],
            # Spreadsheet datetimes carry no timezone.
            ["厦门工会", 123456789012, 7, datetime(2023, 1, 2, 10, 30), None],  # noqa: DTZ001
        ],
    )
    columns = (*COLUMNS, Column("founded", ("成立日期",)), Column("ratio", ("比例",)))

    assert read_rows(path, columns) == [
        (
            2,
            {
                "name": "福州总工会",
                "uscc": "91350100MA2XXXXX1X",
                "members": "25",
                "founded": "2024-03-05",
                "ratio": "0.125",
            },
        ),
        (
            3,
            {
                "name": "厦门工会",
                "uscc": "123456789012",
                "members": "7",
                "founded": "2023-01-02",
                "ratio": "",
            },
        ),
    ]


def test_xlsx_row_numbers_match_the_sheet(tmp_path):
    path = write_xlsx(
        tmp_path / "in.xlsx",
        [["名称", "统一社会信用代码"], ["A", "X1"], [], ["B", "X2"]],
        start_row=2,
    )

    assert [number for number, _ in read_rows(path)] == [4, 6]


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    blank=st.lists(st.booleans(), min_size=1, max_size=30),
    start_row=st.integers(0, 3),
    size=st.integers(1, 8),
)
def test_sheet_chunks_read_where_validated_give_exactly_the_raw_rows(
    tmp_path, blank, start_row, size
):
    rows = [["名称", "统一社会信用代码"]]
    rows += [[] if empty else [f"单位{i}", f"X{i}"] for i, empty in enumerate(blank)]
    table = open_table(write_xlsx(tmp_path / "in.xlsx", rows, start_row=start_row), COLUMNS)
    reader = table.sheet_rows()
    expected = list(table.raw_rows())

    chunks = list(table.sheet_chunks(size))
    assert [row for chunk in chunks for row in reader(chunk)] == expected
    # A second pass over the same reader starts from the top again.
    assert [row for chunk in chunks for row in reader(chunk)] == expected
    # Chunks met out of order (another worker took the ones between) read the same rows.
    backwards = [row for chunk in reversed(chunks) for row in reader(chunk)]
    assert sorted(backwards) == expected


def test_spreadsheet_is_detected_by_content_not_extension(tmp_path):
    path = write_xlsx(tmp_path / "upload.csv", [["名称", "统一社会信用代码"], ["A", "X1"]])

    assert read_rows(path) == [(2, {"name": "A", "uscc": "X1"})]


def test_missing_required_column_is_named(tmp_path):
    path = write_csv(tmp_path, "名称,会员人数\nA,3\n")

    with pytest.raises(FileUnreadable) as caught:
        open_table(path, COLUMNS)

    assert "统一社会信用代码 (uscc)" in str(caught.value.reason)
    assert "名称" not in str(caught.value)


def test_two_headers_for_the_same_field_are_rejected(tmp_path):
    path = write_csv(tmp_path, "名称,name,统一社会信用代码\nA,B,X1\n")

    with pytest.raises(FileUnreadable, match="名称"):
        open_table(path, COLUMNS)


def test_empty_file_is_unreadable(tmp_path):
    path = write_csv(tmp_path, "")

    with pytest.raises(FileUnreadable):
        open_table(path, COLUMNS)


def test_file_with_only_blank_lines_has_no_header(tmp_path):
    path = write_csv(tmp_path, "\n  \n,,\n")

    with pytest.raises(FileUnreadable):
        open_table(path, COLUMNS)


def test_missing_file_is_unreadable(tmp_path):
    with pytest.raises(FileUnreadable):
        open_table(tmp_path / "nope.csv", COLUMNS)


def test_text_in_no_known_encoding_is_unreadable(tmp_path):
    path = tmp_path / "in.csv"
    path.write_bytes(b"\xff\xff\xff,\x80\x80\n")

    with pytest.raises(FileUnreadable):
        open_table(path, COLUMNS)


def test_damage_after_the_sample_surfaces_as_unreadable_while_iterating(tmp_path):
    path = tmp_path / "in.csv"
    body = "名称,统一社会信用代码\n".encode() + b"A,X1\n" * (SAMPLE_SIZE // 5 + 10)
    path.write_bytes(body + b"\xff\xff,X2\n")
    table = open_table(path, COLUMNS)

    with pytest.raises(FileUnreadable):
        list(table.rows())


def test_corrupt_spreadsheet_is_unreadable(tmp_path):
    path = write_xlsx(tmp_path / "in.xlsx", [["名称", "统一社会信用代码"], ["A", "X1"]])
    path.write_bytes(path.read_bytes()[:300])

    with pytest.raises(FileUnreadable):
        open_table(path, COLUMNS)


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    prefix=st.sampled_from(
        [b"", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\xef\xbb\xbf", b"\xff\xfe"]
    ),
    data=st.binary(max_size=2000),
)
def test_random_bytes_give_a_table_or_file_unreadable(tmp_path, prefix, data):
    path = tmp_path / "random.bin"  # overwritten by every example
    path.write_bytes(prefix + data)
    columns = (Column("name", ("名称", "name")),)  # nothing required, so more inputs get a Table

    try:
        table = open_table(path, columns)
        list(table.rows())
        list(table.raw_rows())
    except FileUnreadable:
        pass


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-05", date(2024, 3, 5)),
        ("2024-3-5", date(2024, 3, 5)),
        ("2024/3/5", date(2024, 3, 5)),
        ("2024.3.5", date(2024, 3, 5)),
        ("2024年3月5日", date(2024, 3, 5)),
        ("20240305", date(2024, 3, 5)),
        ("45356", date(2024, 3, 5)),
        ("2024-03-05 10:30:00", date(2024, 3, 5)),
        ("2024年3月5日 10:30", date(2024, 3, 5)),
        (" ２０２４－０３－０５ ", date(2024, 3, 5)),
    ],
)
def test_parse_date_accepts_common_formats(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("serial", "expected"),
    [
        ("1", date(1900, 1, 1)),
        ("59", date(1900, 2, 28)),
        ("61", date(1900, 3, 1)),
        ("2958465", date(9999, 12, 31)),
    ],
)
def test_parse_date_follows_the_excel_1900_serial_system(serial, expected):
    assert parse_date(serial) == expected


@pytest.mark.parametrize(
    "text",
    ["2023-02-29", "2024-13-01", "abc", "", "0", "60", "2958466", "2024-3/5", "45356.5", "24-3-5"],
)
def test_parse_date_rejects_bad_dates(text):
    with pytest.raises(ValueError, match="date"):
        parse_date(text)


@given(st.dates())
def test_parse_date_round_trips_iso_format(d):
    assert parse_date(d.isoformat()) == d


@given(st.dates())
def test_parse_date_round_trips_chinese_format(d):
    assert parse_date(f"{d.year:04d}年{d.month}月{d.day}日") == d


def read_xlsx(path: Path) -> list[list]:
    with CalamineWorkbook.from_filelike(io.BytesIO(path.read_bytes())) as workbook:
        return workbook.get_sheet_by_index(0).to_python()


def test_error_report_round_trips(tmp_path):
    errors = [
        RowError(2, "uscc", "123", "统一社会信用代码无效", cells=["A", "123", "extra"]),
        RowError(5, "", "", "Duplicate row", cells=["B", "=1+1"]),
        RowError(7, "name", "", "Name is required"),
    ]

    with translation.override("en"):
        path = write_error_report(tmp_path / "errors.xlsx", ["名称", "统一社会信用代码"], errors)

    assert read_xlsx(path) == [
        ["Row", "名称", "统一社会信用代码", "Column", "Value", "Reason"],
        [2, "A", "123", "uscc", "123", "统一社会信用代码无效"],
        [5, "B", "=1+1", "", "", "Duplicate row"],
        [7, "", "", "name", "", "Name is required"],
    ]


def test_error_report_with_no_errors_has_only_the_header(tmp_path):
    path = write_error_report(tmp_path / "errors.xlsx", ["名称"], [])

    assert len(read_xlsx(path)) == 1


def test_large_csv_streams_through(tmp_path):
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8") as f:
        f.write("名称,统一社会信用代码,会员人数\n")
        f.writelines(f"工会{i},91350100MA{i:08d},{i % 500}\n" for i in range(200_000))

    count, last = 0, 0
    for number, _values in open_table(path, COLUMNS).rows():
        count += 1
        last = number

    assert count == 200_000
    assert last == 200_001


_CELL = st.text(alphabet='ab中 ,"\n', max_size=6)


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(st.lists(_CELL, min_size=2, max_size=2), max_size=12),
    size=st.integers(min_value=1, max_value=5),
)
def test_csv_text_chunks_parse_to_the_same_rows_as_the_file(tmp_path_factory, rows, size):
    path = tmp_path_factory.mktemp("chunks") / "rows.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["name", "uscc"])
        writer.writerows(rows)
    table = open_table(path, COLUMNS)
    parsed = []
    for chunk in table.text_chunks(size):
        chunk_rows, records = parse_text_chunk(chunk, table.csv_dialect.delimiter)
        assert records == chunk.records
        parsed.extend(chunk_rows)
    assert parsed == list(table.raw_rows())


@pytest.mark.parametrize("quoted", [False, True], ids=["quote-free", "with-quotes"])
def test_a_damaged_csv_names_the_line_that_does_not_decode(tmp_path, quoted):
    rows = [f"工会{i},91350100MA{i:08d}\n".encode() for i in range(30_000)]
    if quoted:
        rows[10] = '"工会,甲",91350100MA00000010\n'.encode()
    rows[24_999] = b"\xff\xfe broken,X\n"  # line 25 001: the header is line 1
    path = tmp_path / "damaged.csv"
    path.write_bytes("名称,统一社会信用代码\n".encode() + b"".join(rows))
    table = open_table(path, COLUMNS)
    with pytest.raises(FileUnreadable, match="25001"), translation.override("en"):
        [chunk.decoded() for chunk in table.text_chunks(1000)]  # where a worker parses it


def _csv_module_parse(chunk: TextChunk, delimiter: str) -> tuple[list, int]:
    reader = csv.reader(io.StringIO(chunk.text, newline=""), delimiter=delimiter)
    rows, count = [], 0
    for count, cells in enumerate(reader, start=1):
        if "".join(cells).strip():
            rows.append((chunk.first + count - 1, cells))
    return rows, count


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(alphabet='ab中 ,;\t\u3000\r\n"\x00', max_size=40),
    delimiter=st.sampled_from([",", ";", "\t"]),
    first=st.integers(min_value=2, max_value=10),
)
def test_a_text_chunk_splits_into_the_cells_the_csv_module_reads(text, delimiter, first):
    """The fast split of quote-free text gives exactly the csv module's rows and count (with
    quotes, lone carriage returns or NULs the csv module parses the chunk itself)."""
    chunk = TextChunk(first=first, text=text, records=0)
    try:
        expected = _csv_module_parse(chunk, delimiter)
    except csv.Error:
        return  # parse_text_chunk turns this into FileUnreadable; covered above
    assert parse_text_chunk(chunk, delimiter) == expected


def _sheet_reads(monkeypatch) -> list[Path]:
    """The spreadsheets python-calamine parses from now on, in order."""
    reads: list[Path] = []
    read_sheet = tabular._read_sheet

    def counted(path: Path):
        reads.append(path)
        return read_sheet(path)

    monkeypatch.setattr(tabular, "_read_sheet", counted)
    return reads


def test_a_spreadsheet_read_ahead_is_parsed_once_and_read_as_usual(tmp_path, monkeypatch):
    path = write_xlsx(tmp_path / "in.xlsx", [["名称", "统一社会信用代码"], ["厦门工会", "X"]])
    reads = _sheet_reads(monkeypatch)
    read_ahead(path)
    assert read_rows(path) == [(2, {"name": "厦门工会", "uscc": "X"})]
    assert reads == [path]


def test_a_spreadsheet_changed_after_its_read_ahead_is_read_again(tmp_path, monkeypatch):
    path = write_xlsx(tmp_path / "in.xlsx", [["名称", "统一社会信用代码"], ["厦门工会", "X"]])
    reads = _sheet_reads(monkeypatch)
    read_ahead(path)
    write_xlsx(path, [["名称", "统一社会信用代码"], ["福州工会", "Y"], ["泉州工会", "Z"]])
    assert [row["name"] for _n, row in read_rows(path)] == ["福州工会", "泉州工会"]
    assert reads == [path, path]


def test_an_unreadable_spreadsheet_read_ahead_is_reported_when_opened(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not a zip archive")
    read_ahead(path)
    with pytest.raises(FileUnreadable):
        read_rows(path)


def test_only_spreadsheets_are_read_ahead(tmp_path, monkeypatch):
    path = write_csv(tmp_path, CHINESE_CSV)
    reads = _sheet_reads(monkeypatch)
    read_ahead(path)
    read_ahead(tmp_path / "missing.xlsx")
    assert read_rows(path) == CHINESE_ROWS
    assert reads == []


@settings(max_examples=300, deadline=None)
@given(
    lines=st.lists(
        st.tuples(st.text(alphabet="ab中 ,", max_size=5), st.sampled_from(["\n", "\r\n", "\r"])),
        max_size=15,
    ),
    size=st.integers(min_value=1, max_value=5),
    block=st.one_of(st.integers(min_value=1, max_value=12), st.just(1 << 20)),  # or the whole
    header_end=st.sampled_from(["\n", "\r\n"]),
)
def test_a_quote_free_csv_read_in_small_blocks_cuts_into_the_same_rows(
    tmp_path_factory, lines, size, block, header_end
):
    """The quote-free file is scanned and read in blocks and cut after every `size`-th line
    end, wherever a block ends (a CR LF cut in two included): the rows are the file's, in order,
    with their line numbers. Only a lone carriage return sends it the careful way."""
    path = tmp_path_factory.mktemp("blocks") / "rows.csv"
    text = "name,uscc" + header_end + "".join(cells + end for cells, end in lines)
    path.write_bytes(text.encode())
    table = open_table(path, COLUMNS)
    with patch.object(tabular, "_BATCH_BYTES", block), patch.object(tabular, "_SCAN_BYTES", block):
        chunks = list(table.text_chunks(size))
        assert table._needs_care == (text.count("\r") != text.count("\r\n"))
    parsed = [row for chunk in chunks for row in parse_text_chunk(chunk, ",")[0]]
    assert parsed == list(table.raw_rows())
    assert sum(chunk.records for chunk in chunks) == len(text.splitlines()) - 1


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(alphabet='ab中 ,;\t\r\n"', max_size=40),
    delimiter=st.sampled_from([",", ";", "\t"]),
    first=st.integers(min_value=2, max_value=10),
    width=st.integers(min_value=1, max_value=4),
)
def test_a_text_chunks_columns_hold_the_rows_the_csv_module_reads(text, delimiter, first, width):
    """Column by column — cut by slices when every line holds as many cells, else from the
    rows — a chunk holds exactly the rows the careful parse finds, in order, each row's first
    `width` cells, a short row's missing ones empty."""
    chunk = TextChunk(first=first, text=text, records=0)
    try:
        rows, records = parse_text_chunk(chunk, delimiter)
    except FileUnreadable:
        return
    numbers, columns, count = text_chunk_columns(chunk, delimiter, width)
    assert (numbers, count) == ([number for number, _cells in rows], records)
    padded = [(cells + [""] * width)[:width] for _number, cells in rows]
    assert columns == [[row[at] for row in padded] for at in range(width)]


def test_a_chunk_of_equal_lines_is_cut_into_columns():
    chunk = TextChunk(first=2, text="a,1\r\nb,2\r\n", records=2)
    assert text_chunk_columns(chunk, ",", 2) == ([2, 3], [["a", "b"], ["1", "2"]], 2)
    # Lines shorter than the header (its last columns left out): their cells are empty.
    assert text_chunk_columns(chunk, ",", 3)[1] == [["a", "b"], ["1", "2"], ["", ""]]
