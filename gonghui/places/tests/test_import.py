"""Importing service points from CSV/XLSX: numbered translated errors, report, idempotent re-run."""

from pathlib import Path

import pytest
import python_calamine
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from gonghui.core.models import AuditEntry
from gonghui.places.models import PlaceImport, PointKind, ServicePoint
from gonghui.places.services import point_import
from gonghui.places.tests.factories import ServicePointFactory
from gonghui.testing import logged_in

HEADER = (
    "站点编号,站点名称,站点类型,管理工会代码,地址,纬度,经度,开放时间,设施,服务项目,联系电话,星级\n"
)


def _rows(city) -> str:
    code = city.community.code
    rows = [
        f"DC-001,多福巷劳动者驿站,劳动者驿站,{code},东城区多福巷1号,39.9161,116.4107,24小时,"
        "饮水、充电、卫生间,休息、饮水,010-65120001,三星",
        f"DC-002,东华门爱心妈咪小屋,爱心妈咪小屋,{code},东城区东华门大街5号,39.9142,116.4031,"
        "周一至周五 09:00-18:00；节假日 休息,冰箱,哺乳,,",
        f"DC-003,夜间驿站,outdoor_station,{city.street.code},东城区王府井大街8号,39.915,116.41,"
        "每天 22:00-06:00,,,,",
    ]
    return HEADER + "".join(f"{row}\n" for row in rows)


def _write(tmp_path: Path, text: str, name: str = "points.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.django_db
def test_a_file_creates_its_points_with_structured_hours(city, tmp_path):
    result = point_import(path=_write(tmp_path, _rows(city)), scope_org=city.street)
    assert (result.rows, result.created, result.rejected) == (3, 3, 0)
    station = ServicePoint.objects.get(code="DC-001")
    assert station.kind == PointKind.OUTDOOR_STATION
    assert station.amenities == ["drinking_water", "charging", "toilet"]
    assert station.services == ["休息", "饮水"]
    assert station.grade == 3
    assert station.hours["weekly"][0] == [[0, 1440]]
    room = ServicePoint.objects.get(code="DC-002")
    assert room.hours["holidays"] == "closed"
    assert ServicePoint.objects.get(code="DC-003").hours["weekly"][4] == [[1320, 360]]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "kind", ["调解中心", "劳动争议调解中心", "Mediation centre", "mediation_centre"]
)
def test_a_mediation_centre_is_imported_by_its_code_or_its_chinese_or_english_name(
    city, tmp_path, kind
):
    row = f"DC-020,东城区劳动争议调解中心,{kind},{city.district.code},东城区东四1号,39.93,116.42"
    result = point_import(path=_write(tmp_path, f"{HEADER}{row},,,,,\n"), scope_org=city.district)
    assert (result.created, result.rejected) == (1, 0), result.errors
    assert ServicePoint.objects.get(code="DC-020").kind == PointKind.MEDIATION_CENTRE


@pytest.mark.django_db
def test_importing_the_same_file_again_creates_nothing(city, tmp_path):
    path = _write(tmp_path, _rows(city))
    point_import(path=path, scope_org=city.street)
    again = point_import(path=path, scope_org=city.street)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert ServicePoint.objects.count() == 3


@pytest.mark.django_db
def test_a_changed_row_updates_its_point(city, tmp_path):
    point_import(path=_write(tmp_path, _rows(city)), scope_org=city.street)
    changed = _rows(city).replace("多福巷劳动者驿站", "多福巷户外劳动者驿站")
    result = point_import(path=_write(tmp_path, changed), scope_org=city.street)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
    assert ServicePoint.objects.get(code="DC-001").name == "多福巷户外劳动者驿站"


@pytest.mark.django_db
def test_bad_rows_are_reported_by_number_in_chinese_and_the_rest_is_imported(city, tmp_path):
    code = city.community.code
    text = (
        HEADER
        + f"DC-010,好站,劳动者驿站,{code},地址1,39.9,116.4,24h,,,,\n"
        + f"DC-011,坏坐标,劳动者驿站,{code},地址2,139.9,116.4,,,,,\n"
        + f"DC-012,坏时间,劳动者驿站,{code},地址3,39.9,116.4,周一 25:00-26:00,,,,\n"
        + f"DC-013,坏类型,加油站,{code},地址4,39.9,116.4,,,,,\n"
        + f"DC-014,外区,劳动者驿站,{city.other_community.code},地址5,39.9,116.4,,,,,\n"
        + f"DC-010,重复,劳动者驿站,{code},地址6,39.9,116.4,,,,,\n"
        + f"DC-015,私人手机,劳动者驿站,{code},地址7,39.9,116.4,,,,13912345678,\n"
    )  # fmt: skip
    report = tmp_path / "report.xlsx"
    with translation.override("zh-hans"):
        result = point_import(
            path=_write(tmp_path, text), scope_org=city.street, report_path=report
        )
    assert result.created == 1
    assert [(e.row, e.column) for e in result.errors] == [
        (3, "lat"), (4, "hours"), (5, "kind"), (7, "code"), (8, "contact"), (6, "org_code"),
    ]  # fmt: skip
    reasons = {e.column: str(e.reason) for e in result.errors}
    assert "第 2 行" in reasons["code"] or "第2行" in reasons["code"]
    assert "范围" in reasons["org_code"]
    sheet = python_calamine.CalamineWorkbook.from_path(str(report)).get_sheet_by_index(0)
    rows = sheet.to_python()
    assert [int(r[0]) for r in rows[1:]] == [3, 4, 5, 6, 7, 8]


@pytest.mark.django_db
def test_an_xlsx_file_imports_like_a_csv(city, tmp_path):
    path = tmp_path / "points.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    for r, line in enumerate(_rows(city).splitlines()):
        for c, cell in enumerate(line.split(",")):
            sheet.write_string(r, c, cell)
    book.close()
    assert point_import(path=path, scope_org=city.street).created == 3


@pytest.mark.django_db
def test_a_point_of_another_district_cannot_be_taken_over(city, tmp_path):
    ServicePointFactory(org=city.other_community, code="DC-001", name="西城的站")
    result = point_import(path=_write(tmp_path, _rows(city)), scope_org=city.street)
    assert [e.column for e in result.errors] == ["code"]
    assert ServicePoint.objects.get(code="DC-001").name == "西城的站"


@pytest.mark.django_db
def test_the_import_page_imports_reports_and_is_audited(city, street_officer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    bad = _rows(city) + f"DC-020,坏,劳动者驿站,{city.community.code},地址,99,116,,,,,\n"
    upload = SimpleUploadedFile("points.csv", bad.encode())
    client = logged_in(street_officer)
    response = client.post(reverse("places:imports"), {"file": upload})
    assert response.status_code == 200
    assert ServicePoint.objects.count() == 3
    job = PlaceImport.objects.get()
    assert job.result["rejected"] == 1
    assert AuditEntry.objects.filter(action="import", target_id=str(job.pk)).exists()
    errors = client.get(reverse("places:import_errors", args=[job.pk]))
    assert errors.status_code == 200
    assert errors["Content-Disposition"].startswith("attachment")


@pytest.mark.django_db
def test_the_error_report_of_another_districts_import_is_404(
    city, other_district_officer, street_officer, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("points.csv", (HEADER + "X,,,,,,,,,,,\n").encode())
    logged_in(street_officer).post(reverse("places:imports"), {"file": upload})
    job = PlaceImport.objects.get()
    response = logged_in(other_district_officer).get(reverse("places:import_errors", args=[job.pk]))
    assert response.status_code == 404
