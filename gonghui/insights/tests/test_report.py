"""The statistical report: page, XLSX and a PDF whose Chinese text renders."""

import io
import subprocess

import pytest
from django.urls import reverse
from django.utils import translation
from python_calamine import CalamineWorkbook

from gonghui.testing import logged_in

pytestmark = pytest.mark.django_db


def _url(org, **query):
    params = "&".join(f"{k}={v}" for k, v in query.items())
    return reverse("insights:report", kwargs={"code": org.code}) + (f"?{params}" if params else "")


def test_the_report_lists_each_district(figures, city_admin):
    year = figures.this_year
    body = (
        logged_in(city_admin)
        .get(_url(figures.city, **{"from": f"{year}-01", "to": f"{year}-01"}))
        .content.decode()
    )
    assert 'data-testid="report-table"' in body
    assert figures.district.name in body
    assert figures.other_district.name in body


def test_the_report_xlsx_counts_the_period(figures, city_admin):
    year = figures.this_year
    with translation.override("en"):
        response = logged_in(city_admin).get(
            _url(figures.city, **{"from": f"{year}-01", "to": f"{year}-01", "format": "xlsx"})
        )
    data = b"".join(response.streaming_content)
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    header = sheet[0]
    rows = {row[0]: dict(zip(header, row, strict=True)) for row in sheet[1:]}
    assert set(rows) == {figures.district.name, figures.other_district.name, "Total"}
    # January: 东城区 took 2 appeals and closed 1, 西城区 took 1 and closed it.
    assert rows[figures.district.name]["Appeals received"] in ("2", 2, 2.0)
    assert rows[figures.district.name]["Completion rate"] == "50.0%"
    assert rows["Total"]["Appeals received"] in ("3", 3, 3.0)
    assert rows["Total"]["Completion rate"] == "66.7%"
    assert rows[figures.district.name]["New members"] in ("3", 3, 3.0)  # 3, 10 and 11 January


def test_the_report_pdf_renders_chinese(figures, district_officer, tmp_path):
    response = logged_in(district_officer).get(_url(figures.district, format="pdf"))
    assert response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(response.content)
    raw = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    text = "".join(raw.split())  # table cells may wrap
    assert "统计报表" in text
    assert figures.street.name in text
    assert "会员" in text
    assert figures.other_district.name not in text


def test_another_districts_report_answers_404(figures, district_officer):
    for fmt in ("", "xlsx", "pdf"):
        url = _url(figures.other_district, format=fmt) if fmt else _url(figures.other_district)
        assert logged_in(district_officer).get(url).status_code == 404


def test_a_period_in_an_old_year_covers_that_whole_year(figures, city_admin):
    old = figures.this_year - 6
    with translation.override("en"):
        response = logged_in(city_admin).get(
            _url(figures.city, **{"from": f"{old}-03", "to": f"{old}-05", "format": "xlsx"})
        )
    assert response["Content-Disposition"].endswith(f'{old}01-{old}12.xlsx"')
    data = b"".join(response.streaming_content)
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    total = dict(zip(sheet[0], sheet[-1], strict=True))
    assert total["New members"] in ("2", 2, 2.0)  # January and June of that year
