"""The monthly situation report: page, XLSX and a PDF whose Chinese text renders."""

import io
import re
import zlib

import pytest
from django.utils import translation
from python_calamine import CalamineWorkbook

from gonghui.appeals.tests.helpers import at, file_appeal
from gonghui.testing import logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def march(city):
    for day in ("02", "03", "04"):
        file_appeal(
            city.city, employer_uscc=city.employer.uscc, received_at=at(f"2026-03-{day} 10:00")
        )
    file_appeal(city.city, employer_uscc=city.employer.uscc, received_at=at("2026-02-10 10:00"))
    file_appeal(
        city.city, employer_uscc=city.other_employer.uscc, received_at=at("2026-03-05 10:00")
    )
    return city


def test_the_report_compares_with_the_previous_month(march, district_officer):
    body = logged_in(district_officer).get("/appeals/report/?month=2026-03").content.decode()
    assert 'data-testid="report-volume"' in body
    assert march.employer.name in body
    assert march.other_employer.name not in body


def test_another_districts_report_and_statistics_answer_404(march, district_officer):
    client = logged_in(district_officer)
    foreign = march.other_district.code
    assert client.get(f"/appeals/report/?month=2026-03&org={foreign}").status_code == 404
    assert client.get(f"/appeals/report/?month=2026-03&org={foreign}&format=pdf").status_code == 404
    assert client.get(f"/appeals/stats/?org={foreign}").status_code == 404


def test_the_xlsx_holds_the_figures(march, district_officer):
    with translation.override("en"):
        response = logged_in(district_officer).get("/appeals/report/?month=2026-03&format=xlsx")
    data = b"".join(response.streaming_content)
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    cells = {(row[0], row[1]): row[2] for row in sheet[1:]}
    assert cells[("Volume", "Received")] == "3"
    assert cells[("Volume", "Previous month")] == "1"
    assert march.other_employer.name not in str(sheet)


def _inflated(pdf: bytes) -> bytes:
    """The PDF with every compressed stream inflated (font names sit in object streams)."""
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.DOTALL):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"".join(parts)


def test_the_pdf_renders_chinese_text_in_noto_sans_cjk(march, district_officer):
    from weasyprint import HTML

    from gonghui.appeals.report import monthly_report
    from gonghui.appeals.views.insights import report_pdf

    response = logged_in(district_officer).get("/appeals/report/?month=2026-03&format=pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert b"NotoSansCJK" in _inflated(response.content)  # the CJK font is embedded

    # WeasyPrint's own layout: the text it placed on the pages, and in which font.
    from datetime import date

    from django.template.loader import render_to_string
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = district_officer
    report = monthly_report(user=district_officer, month=date(2026, 3, 1))
    document = HTML(
        string=render_to_string("appeals/report_pdf.html", {"report": report}, request=request)
    ).render()
    texts, fonts = [], set()
    for page in document.pages:
        for box in page._page_box.descendants():
            if hasattr(box, "text") and box.text.strip():
                texts.append(box.text)
                fonts.add(box.style["font_family"][0])
    text = "".join(texts)
    assert march.employer.name in text
    assert "东城区总工会" in text or "东华门街道总工会" in text
    assert fonts == {"Noto Sans CJK SC"}
    assert report_pdf(request, report).startswith(b"%PDF")
