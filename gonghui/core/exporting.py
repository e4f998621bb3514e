"""Writing exports: XLSX in constant memory (split across sheets past Excel's row limit) and
streamed CSV with a BOM so that Excel opens Chinese text correctly."""

import csv
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import xlsxwriter
from django.conf import settings
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

EXCEL_MAX_ROWS = 1_048_576


def write_xlsx(rows: Iterable[list[str]], *, sheet: str = "Sheet") -> Path:
    """Write rows (the first is the header, repeated on every sheet) to a temporary XLSX."""
    directory = Path(settings.VAR_DIR) / "exports"
    directory.mkdir(parents=True, exist_ok=True)
    descriptor, name = tempfile.mkstemp(dir=directory, suffix=".xlsx")
    os.close(descriptor)
    workbook = xlsxwriter.Workbook(
        name, {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    )
    bold = workbook.add_format({"bold": True})
    iterator = iter(rows)
    header = next(iterator, [])
    worksheet, line, part = None, EXCEL_MAX_ROWS, 0
    for row in iterator:
        if line >= EXCEL_MAX_ROWS:
            part += 1
            worksheet = workbook.add_worksheet(f"{sheet[:25]} {part}" if part > 1 else sheet[:31])
            worksheet.write_row(0, 0, header, bold)
            worksheet.freeze_panes(1, 0)
            worksheet.set_column(0, len(header) - 1, 18)
            line = 1
        worksheet.write_row(line, 0, row)  # type: ignore[union-attr]
        line += 1
    if worksheet is None:
        worksheet = workbook.add_worksheet(sheet[:31])
        worksheet.write_row(0, 0, header, bold)
    workbook.close()
    return Path(name)


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_stream(rows: Iterable[list[str]]) -> Iterator[bytes]:
    writer = csv.writer(_Echo())
    yield "\ufeff".encode()
    for row in rows:
        yield writer.writerow(row).encode()


def export_response(
    rows: Iterable[list[str]], *, fmt: str, name: str
) -> FileResponse | StreamingHttpResponse:
    """The rows as a download named `<name>-<local time>.csv` (streamed) or `.xlsx`."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "csv":
        response = StreamingHttpResponse(csv_stream(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
        return response
    path = write_xlsx(rows, sheet=name)
    download = FileResponse(path.open("rb"), as_attachment=True, filename=f"{name}-{stamp}.xlsx")
    path.unlink()  # the open handle keeps the data until the response is sent
    return download
