"""Uploaded files, fuzzed: whatever the bytes, an import reads the file or says why it cannot.

The importers behind the CLI and the upload page (members, employers, orgs) get random bytes,
truncated or damaged spreadsheets and CSV text in encodings nobody expects. Each must end with
an import result or FileUnreadable carrying a message for the user — never another exception.
"""

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gonghui.core.importing import ImportResult
from gonghui.core.tabular import FileUnreadable
from gonghui.members.services.registry import member_import
from gonghui.orgs.services import employer_import, org_import

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=100,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# A small valid file for each importer; the fuzzers mangle it.
SHEETS = {
    "members": [
        ["姓名", "身份证号", "手机号", "工作单位", "工会代码", "入会时间"],
        ["张伟", "11010519491231002X", "13800138000", "北京甲乙科技", "E00000001", "2024-03-05"],
    ],
    "employers": [
        ["单位名称", "统一社会信用代码", "职工人数", "成立日期", "所属社区工会代码"],
        ["北京景山餐饮有限公司", "91110101MA0000000X", "12", "2020/1/2", "110101001001"],
    ],
    "orgs": [
        ["工会代码", "工会名称", "类型", "上级工会代码", "成立日期"],
        ["110101003", "朝阳门街道总工会", "乡镇(街道)总工会", "110101", "2020年1月2日"],
    ],
}
ENCODINGS = ["utf-16-le", "utf-16-be", "utf-32", "big5", "shift_jis", "euc_kr", "cp1252", "koi8_r"]
MAGIC = [b"", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\xef\xbb\xbf", b"\xff\xfe"]
KINDS = st.sampled_from(sorted(SHEETS))


def _xlsx(rows: list[list[str]]) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet()
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            sheet.write_string(r, c, cell)
    workbook.close()
    return buffer.getvalue()


XLSX = {kind: _xlsx(rows) for kind, rows in SHEETS.items()}
CSV = {kind: "\n".join(",".join(row) for row in rows) + "\n" for kind, rows in SHEETS.items()}


def _importer(kind: str, city: Any) -> Callable[[Path], ImportResult]:
    importers: dict[str, Callable[[Path], ImportResult]] = {
        "members": lambda path: member_import(path=path, scope_org=city.community),
        "employers": lambda path: employer_import(path=path, scope_org=city.district),
        "orgs": lambda path: org_import(path=path, scope_org=city.city),
    }
    return importers[kind]


def _assert_read_or_refused(kind: str, data: bytes, tmp_path: Path, city: Any) -> None:
    path = tmp_path / "upload.bin"  # overwritten by every example
    path.write_bytes(data)
    try:
        with translation.override("en"):
            result = _importer(kind, city)(path)
    except FileUnreadable as exc:
        message = str(exc.reason)
        assert message.strip()
        assert "Traceback" not in message
    else:
        assert isinstance(result, ImportResult)


def test_the_unmangled_files_import(tmp_path, city):
    for kind in SHEETS:
        path = tmp_path / f"{kind}.xlsx"
        path.write_bytes(XLSX[kind])
        assert _importer(kind, city)(path).rows == 1


@FUZZ
@given(kind=KINDS, prefix=st.sampled_from(MAGIC), data=st.binary(max_size=3000))
def test_random_bytes_are_read_or_refused_with_a_reason(tmp_path, city, kind, prefix, data):
    _assert_read_or_refused(kind, prefix + data, tmp_path, city)


@FUZZ
@given(kind=KINDS, fraction=st.floats(min_value=0.0, max_value=1.0, exclude_max=True))
def test_a_truncated_spreadsheet_is_read_or_refused_with_a_reason(tmp_path, city, kind, fraction):
    data = XLSX[kind]
    _assert_read_or_refused(kind, data[: int(len(data) * fraction)], tmp_path, city)


@FUZZ
@given(
    kind=KINDS,
    fraction=st.floats(min_value=0.0, max_value=1.0, exclude_max=True),
    junk=st.binary(min_size=1, max_size=64),
)
def test_a_damaged_spreadsheet_is_read_or_refused_with_a_reason(
    tmp_path, city, kind, fraction, junk
):
    data = XLSX[kind]
    at = int(len(data) * fraction)
    _assert_read_or_refused(kind, data[:at] + junk + data[at + len(junk) :], tmp_path, city)


@FUZZ
@given(kind=KINDS, encoding=st.sampled_from(ENCODINGS), cut=st.integers(0, 200))
def test_text_in_an_unexpected_encoding_is_read_or_refused(tmp_path, city, kind, encoding, cut):
    data = CSV[kind].encode(encoding, errors="replace")
    _assert_read_or_refused(kind, data[: max(0, len(data) - cut)], tmp_path, city)
