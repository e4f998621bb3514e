import json
from pathlib import Path

import pytest
import xlsxwriter
from django.core.management import CommandError, call_command
from django.utils import translation
from python_calamine import CalamineWorkbook

from gonghui.orgs.models import Employer, EmployerStatus, UnionOrg
from gonghui.orgs.services import employer_import, org_import
from gonghui.orgs.tests.factories import make_uscc

EMPLOYER_HEADER = (
    "单位名称,统一社会信用代码,行政区划代码,行业门类,职工人数,成立日期,经营状态,"
    "所属社区工会代码,单位工会代码"
)


def _write(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_bytes("\r\n".join(lines).encode(encoding))
    return path


def _run(command: str, path: Path, *args: str) -> dict:
    from io import StringIO

    out = StringIO()
    call_command(command, str(path), "--json", *args, stdout=out)
    return json.loads(out.getvalue())


def _report_rows(path: Path) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()


@pytest.fixture
def gbk_employers(tmp_path: Path, city) -> Path:
    good = [make_uscc(900 + i) for i in range(3)]
    return _write(
        tmp_path / "employers.csv",
        [
            EMPLOYER_HEADER,
            f"北京甲方餐饮有限公司,{good[0]},110101,H,35,2015-03-01,存续,110101001001,",
            f"北京乙方建设有限公司,{good[1]},,E,８０,2010/5/6,在业,110101001001,E00000001",
            f"北京丙方科技有限公司,{good[2]},110101,I,12,2019年7月1日,注销,,",
            "北京坏代码有限公司,91350100M000100Y4,110101,C,20,2018-01-01,存续,,",
            f"北京未来有限公司,{make_uscc(950)},110101,C,20,2999-01-01,存续,,",
            f"北京错社区有限公司,{make_uscc(951)},110101,C,20,2018-01-01,存续,110102001001,",
            f"北京重复有限公司,{good[0]},110101,C,20,2018-01-01,存续,,",
        ],
        encoding="gbk",
    )


def test_gbk_employers_import_the_good_rows_and_report_each_bad_one(gbk_employers, city):
    result = _run("import_employers", gbk_employers, "--org", city.district.code)
    assert result["rows"] == 7
    assert result["created"] == 3
    assert result["rejected"] == 4
    assert Employer.objects.filter(
        name="北京乙方建设有限公司", employees=80, union__code="E00000001"
    ).exists()
    report = _report_rows(Path(result["errors"]))
    rejected_rows = sorted(int(row[0]) for row in report[1:])
    assert rejected_rows == [5, 6, 7, 8]


def test_error_report_names_column_value_and_reason(gbk_employers, city):
    with translation.override("en"):
        result = employer_import(path=gbk_employers, scope_org=city.district)
    reasons = {e.row: (e.column, e.reason) for e in result.errors}
    assert reasons[5][0] == "uscc"
    assert reasons[6] == ("opened_on", "The date is in the future.")
    assert reasons[7][0] == "community_code"  # 西城区's community is outside 东城区
    assert "row 2" in reasons[8][1]


def test_error_report_is_in_chinese_by_default(gbk_employers, city):
    result = employer_import(path=gbk_employers, scope_org=city.district)
    assert any("未来" in e.reason or "日期" in e.reason for e in result.errors)


def test_second_run_reports_everything_unchanged(gbk_employers, city):
    _run("import_employers", gbk_employers, "--org", city.district.code)
    again = _run("import_employers", gbk_employers, "--org", city.district.code)
    assert (again["created"], again["updated"], again["unchanged"], again["rejected"]) == (
        0,
        0,
        3,
        4,
    )


def test_deregistered_status_and_derived_region(gbk_employers, city):
    employer_import(path=gbk_employers, scope_org=city.district)
    gone = Employer.objects.get(name="北京丙方科技有限公司")
    assert gone.status == EmployerStatus.DEREGISTERED
    derived = Employer.objects.get(name="北京乙方建设有限公司")
    assert derived.region_code == derived.uscc[2:8]


def test_employer_without_community_is_owned_by_its_district(tmp_path, city):
    path = _write(
        tmp_path / "register.csv",
        [
            "单位名称,统一社会信用代码,行政区划代码",
            f"北京登记有限公司,{make_uscc(7, '110101')},110101",
        ],
    )
    employer_import(path=path, scope_org=city.city)
    assert Employer.objects.get(name="北京登记有限公司").org == city.district


def test_register_extract_without_link_columns_keeps_existing_links(tmp_path, city):
    employer = city.employer
    path = _write(
        tmp_path / "register.csv", ["name,uscc,employees", f"{employer.name},{employer.uscc},99"]
    )
    result = employer_import(path=path, scope_org=city.city)
    employer.refresh_from_db()
    assert result.updated == 1
    assert (employer.employees, employer.union_id, employer.community_id) == (
        99,
        employer.union_id,
        city.community.pk,
    )
    assert employer.union_id is not None


def test_pilot_code_is_accepted_with_a_warning(tmp_path, city):
    body = make_uscc(3)[:17]
    wrong = "0" if make_uscc(3)[17] != "0" else "1"
    path = _write(tmp_path / "pilot.csv", ["name,uscc", f"北京试点有限公司,{body}{wrong}"])
    result = employer_import(path=path, scope_org=city.district)
    assert result.created == 1
    assert len(result.warnings) == 1
    assert Employer.objects.get(uscc=body + wrong).uscc_check_failed


def test_employer_of_another_district_cannot_be_changed(tmp_path, city):
    other = city.other_employer
    path = _write(tmp_path / "steal.csv", ["name,uscc", f"改名公司,{other.uscc}"])
    result = employer_import(path=path, scope_org=city.district)
    assert result.rejected == 1
    other.refresh_from_db()
    assert other.name != "改名公司"


def test_xlsx_employers_import(tmp_path, city):
    path = tmp_path / "employers.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, ["name", "uscc", "employees", "opened_on", "community_code"])
    sheet.write_row(1, 0, ["北京表格有限公司", make_uscc(11), 40, "2016-02-03", "110101001001"])
    sheet.write_row(2, 0, ["", make_uscc(12), 40, "2016-02-03", ""])
    workbook.close()
    result = employer_import(path=path, scope_org=city.district)
    assert (result.created, result.rejected) == (1, 1)
    assert Employer.objects.get(name="北京表格有限公司").org == city.community


def test_unreadable_file_is_a_clear_command_error(tmp_path, city):
    path = _write(tmp_path / "wrong.csv", ["foo,bar", "1,2"])
    with pytest.raises(CommandError, match="uscc"):
        call_command("import_employers", str(path), "--org", city.district.code)


# --- orgs ---------------------------------------------------------------------------------------

ORG_HEADER = "工会代码,工会名称,类型,上级工会代码,行政区划代码,成立日期"


def test_org_import_builds_the_tree_with_children_listed_before_parents(tmp_path, city):
    path = _write(
        tmp_path / "orgs.csv",
        [
            ORG_HEADER,
            "110101002001,景山东街社区联合工会,社区联合工会,110101002,110101,2012-01-01",
            "E1,北京景山甲公司工会委员会,enterprise,110101002001,110101,",
            "J11010100201,景山商务楼宇工会联合会,joint,110101002,110101,2016-06-01",
        ],
    )
    result = org_import(path=path, scope_org=city.district)
    assert (result.created, result.rejected) == (3, 0)
    sibling = UnionOrg.objects.get(code="110101002")
    enterprise = UnionOrg.objects.get(code="E1")
    assert enterprise.path.startswith(sibling.path)
    assert (
        UnionOrg.objects.get_parent(UnionOrg.objects.get(code="110101002001")).code == "110101002"
    )
    sibling.refresh_from_db()
    assert sibling.numchild == 2
    assert UnionOrg.objects.find_problems() == ([], [], [], [], [])


def test_org_import_rerun_changes_nothing(tmp_path, city):
    path = _write(
        tmp_path / "orgs.csv",
        [ORG_HEADER, "110101002001,景山东街社区联合工会,community,110101002,110101,2012-01-01"],
    )
    org_import(path=path, scope_org=city.district)
    again = org_import(path=path, scope_org=city.district)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)


def test_org_import_updates_names_and_moves_orgs(tmp_path, city):
    path = _write(
        tmp_path / "orgs.csv",
        [ORG_HEADER, "110101001001,多福巷社区联合工会(新),community,110101002,110101,"],
    )
    result = org_import(path=path, scope_org=city.district)
    moved = UnionOrg.objects.get(code="110101001001")
    assert result.updated == 1
    assert moved.name == "多福巷社区联合工会(新)"
    assert UnionOrg.objects.get_parent(moved).code == "110101002"
    assert UnionOrg.objects.get(code="E00000001").path.startswith(moved.path)


def test_org_import_rejects_out_of_scope_missing_and_cyclic_parents(tmp_path, city):
    path = _write(
        tmp_path / "orgs.csv",
        [
            ORG_HEADER,
            "X1,越界工会,community,110102001,110102,",
            "X2,无上级工会,community,NOPE,110101,",
            "X3,甲,community,X4,110101,",
            "X4,乙,community,X3,110101,",
            "X5,缺类型,,110101001,110101,",
            "110102,改写西城,district,110000,110102,",
        ],
    )
    result = org_import(path=path, scope_org=city.district)
    assert result.created == 0
    assert sorted(e.row for e in result.errors) == [2, 3, 4, 5, 6, 7]
    assert UnionOrg.objects.get(code="110102").name == "西城区总工会"


def test_org_import_from_empty_database_creates_the_root(tmp_path, db):
    path = _write(
        tmp_path / "orgs.csv",
        [
            "code,name,kind,parent_code",
            "110000,北京市总工会,city,",
            "110101,东城区总工会,district,110000",
        ],
    )
    result = _run("import_orgs", path)
    assert result["created"] == 2
    assert UnionOrg.objects.get_parent(UnionOrg.objects.get(code="110101")).code == "110000"
