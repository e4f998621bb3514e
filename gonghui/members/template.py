"""The XLSX template federations hand to employers' unions to fill in."""

import io
from datetime import date

import xlsxwriter
from django.utils.translation import gettext as _

COLUMNS = (
    ("姓名", 12, "text"), ("身份证号", 22, "id"), ("手机号", 14, "phone"),
    ("工作单位", 28, "text"), ("统一社会信用代码", 22, "uscc"), ("工会代码", 16, "text"),
    ("入会时间", 14, "date"),
)  # fmt: skip


def member_template_xlsx() -> io.BytesIO:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    header = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    text = workbook.add_format({"num_format": "@"})  # keeps 18-digit IDs from turning into floats
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet = workbook.add_worksheet("会员信息")
    sheet.freeze_panes(1, 0)
    rows = (1, 100_000)
    for col, (title, width, kind) in enumerate(COLUMNS):
        sheet.write(0, col, title, header)
        sheet.set_column(col, col, width, day if kind == "date" else text)
        if kind == "id":
            sheet.data_validation(
                rows[0],
                col,
                rows[1],
                col,
                {
                    "validate": "length",
                    "criteria": "between",
                    "minimum": 15,
                    "maximum": 18,
                    "error_title": _("Resident ID number"),
                    "error_message": _("An ID number has 18 characters (15 for old numbers)."),
                },
            )
        elif kind == "phone":
            sheet.data_validation(
                rows[0],
                col,
                rows[1],
                col,
                {
                    "validate": "length",
                    "criteria": "==",
                    "value": 11,
                    "error_title": _("Mobile phone"),
                    "error_message": _("A mobile number has 11 digits."),
                },
            )
        elif kind == "uscc":
            sheet.data_validation(
                rows[0],
                col,
                rows[1],
                col,
                {
                    "validate": "length",
                    "criteria": "==",
                    "value": 18,
                    "error_title": _("Unified social credit code"),
                    "error_message": _("A unified social credit code has 18 characters."),
                },
            )
        elif kind == "date":
            sheet.data_validation(rows[0], col, rows[1], col, {
                "validate": "date", "criteria": "between",
                "minimum": date(1950, 1, 1), "maximum": date(2100, 12, 31),
                "error_title": _("Joined on"), "error_message": _("Enter a date."),
            })  # fmt: skip
    notes = workbook.add_worksheet("填写说明")
    notes.set_column(0, 0, 100)
    for line, note in enumerate((
        _("One member per row. Name and resident ID number are required."),
        _("Give the union code, or the employer's credit code or exact name: members join the "
          "employer's union, or its community joint union, when no union code is given."),
        _("Dates as 2024-03-05. Keep the ID number column as text."),
    )):  # fmt: skip
        notes.write(line, 0, note)
    workbook.close()
    buffer.seek(0)
    return buffer
