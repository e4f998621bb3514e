import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date, timedelta
from io import StringIO
from pathlib import Path

import pytest
import xlsxwriter
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from python_calamine import CalamineWorkbook

from gonghui.core import pii
from gonghui.members import importing, staging
from gonghui.members.models import Member
from gonghui.members.services.registry import member_import
from gonghui.members.tests.factories import MemberFactory, make_id_number, make_phone
from gonghui.testing import database_url

HEADER = "姓名,身份证号,手机号,工作单位,统一社会信用代码,工会代码,入会时间"


def _csv(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_bytes("\r\n".join(lines).encode(encoding))
    return path


def _json(path: Path, *args: str) -> dict:
    out = StringIO()
    call_command("import_members", str(path), "--json", *args, stdout=out)
    return json.loads(out.getvalue())


def _wrong_check(id_number: str) -> str:
    return id_number[:17] + ("1" if id_number[17] != "1" else "2")


def _large_with_workers(settings, *, chunk: int) -> None:
    """Any file is large: validated by two worker processes, in chunks of `chunk` rows."""
    settings.MEMBER_BULK_LOAD_BYTES = 0
    settings.MEMBER_IMPORT_WORKERS = 2
    settings.MEMBER_IMPORT_CHUNK = chunk


@pytest.fixture
def gbk_file(tmp_path, city) -> Path:
    e = city.employer
    return _csv(
        tmp_path / "members.csv",
        [
            HEADER,
            f"王小明,{make_id_number(1)},{make_phone(1)},,,E00000001,2021-03-01",
            f"李红,{make_id_number(2).lower()},,{e.name},,,2021/3/2",
            f"赵刚,{make_id_number(3)},+86 {make_phone(3)},,{e.uscc},,2021年3月3日",
            f"坏号码,{_wrong_check(make_id_number(4))},,,,E00000001,",
            f"坏手机,{make_id_number(5)},12345,,,E00000001,",
            f"越界,{make_id_number(6)},,,,110102001001,",
            f"未知单位,{make_id_number(7)},,不存在的公司,,,",
            f"重复,{make_id_number(1)},,,,E00000001,",
            f",{make_id_number(8)},,,,E00000001,",
            f"未来,{make_id_number(9)},,,,E00000001,2999-01-01",
        ],
        encoding="gbk",
    )


def test_gbk_file_imports_exactly_the_good_rows(gbk_file, city):
    result = _json(gbk_file, "--org", city.district.code)
    assert (result["rows"], result["created"], result["rejected"]) == (10, 3, 7)
    assert Member.objects.count() == 3
    assert set(Member.objects.values_list("org__code", flat=True)) == {"E00000001"}
    assert Member.objects.filter(employer=city.employer).count() == 2


def test_each_bad_row_is_reported_with_its_reason(gbk_file, city):
    with translation.override("en"):
        result = member_import(path=gbk_file, scope_org=city.district)
    reasons = {e.row: (e.column, e.reason) for e in result.errors}
    assert sorted(reasons) == [5, 6, 7, 8, 9, 10, 11]
    assert reasons[5] == ("id_number", reasons[5][1])
    assert "check digit" in reasons[5][1]
    assert reasons[6][0] == "phone"
    assert reasons[7][0] == "org_code"
    assert reasons[8][0] == "employer_name"
    assert "row 2" in reasons[9][1]
    assert reasons[10][0] == "name"
    assert reasons[11] == ("joined_on", "The date is in the future.")


def test_error_report_is_an_xlsx_with_original_cells_and_chinese_reasons(gbk_file, city):
    result = _json(gbk_file, "--org", city.district.code)
    rows = CalamineWorkbook.from_path(result["errors"]).get_sheet_by_index(0).to_python()
    assert rows[0][:2] == ["行号", "姓名"]
    by_row = {int(r[0]): r for r in rows[1:]}
    assert by_row[6][1] == "坏手机"
    assert any("手机" in str(cell) for cell in by_row[6])


def test_second_run_creates_nothing(gbk_file, city):
    _json(gbk_file, "--org", city.district.code)
    again = _json(gbk_file, "--org", city.district.code)
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 3)
    assert Member.objects.count() == 3


def test_changed_phone_is_an_update(tmp_path, city):
    first = _csv(
        tmp_path / "a.csv", [HEADER, f"王小明,{make_id_number(1)},{make_phone(1)},,,E00000001,"]
    )
    _json(first, "--org", city.district.code)
    second = _csv(
        tmp_path / "b.csv", [HEADER, f"王小明,{make_id_number(1)},{make_phone(2)},,,E00000001,"]
    )
    result = _json(second, "--org", city.district.code)
    assert (result["created"], result["updated"]) == (0, 1)
    member = Member.objects.get()
    assert pii.decrypt(member.phone) == make_phone(2)
    assert member.phone_masked == pii.mask_phone(make_phone(2))


def test_a_file_of_new_members_is_merged_without_looking_for_members_to_update(tmp_path, city):
    """Every staged row went in as a new member: the merge does not join the stage with the
    registry to find members to update (the larger part of a large file's merge otherwise)."""
    MemberFactory(org=city.community)
    lines = [f"王{n},{make_id_number(n)},{make_phone(n)},,,E00000001," for n in range(1, 4)]
    path = _csv(tmp_path / "new.csv", [HEADER, *lines])
    with CaptureQueriesContext(connection) as queries:
        result = _json(path, "--org", city.district.code)
    assert (result["created"], result["updated"]) == (3, 0)
    update = f"UPDATE {Member._meta.db_table} "
    assert not [q for q in queries.captured_queries if q["sql"].startswith(update)]


def test_a_file_repeating_no_id_number_is_compared_without_grouping_it_by_id_number(
    tmp_path, city, settings
):
    """The importing process saw every probe's key differ, so the comparison leaves out the
    grouping of the whole file by ID number (half of its work on a large file); a file that
    repeats one across chunks is grouped, and its repeat found."""
    settings.MEMBER_IMPORT_CHUNK = 2
    MemberFactory(id_number=make_id_number(1), org=city.employer.union)
    lines = [f"王{n},{make_id_number(n)},{make_phone(n)},,,E00000001," for n in range(1, 5)]
    grouped = "GROUP BY idx"

    with CaptureQueriesContext(connection) as queries:
        result = _json(
            _csv(tmp_path / "distinct.csv", [HEADER, *lines]), "--org", city.district.code
        )
    assert (result["created"], result["updated"], result["rejected"]) == (3, 1, 0)
    assert not [q for q in queries.captured_queries if grouped in q["sql"]]

    again = [*lines, f"又来,{make_id_number(2)},,,,E00000001,"]  # row 6, in the third chunk
    with CaptureQueriesContext(connection) as queries:
        result = _json(_csv(tmp_path / "repeat.csv", [HEADER, *again]), "--org", city.district.code)
    assert (result["unchanged"], result["rejected"]) == (4, 1)
    assert [q for q in queries.captured_queries if grouped in q["sql"]]


def test_member_of_another_union_is_a_transfer_candidate_not_moved(tmp_path, city):
    existing = MemberFactory(org=city.community, id_number=make_id_number(11))
    path = _csv(tmp_path / "m.csv", [HEADER, f"{existing.name},{make_id_number(11)},,,,E00000001,"])
    with translation.override("en"):
        result = member_import(path=path, scope_org=city.district)
    assert result.rejected == 1
    assert "transfer" in result.errors[0].reason
    existing.refresh_from_db()
    assert existing.org == city.community


def test_a_transfer_candidate_is_reported_with_its_id_number_masked(tmp_path, city):
    existing = MemberFactory(org=city.community, id_number=make_id_number(12))
    path = _csv(tmp_path / "m.csv", [HEADER, f"{existing.name},{make_id_number(12)},,,,E00000001,"])
    result = member_import(path=path, scope_org=city.district)
    assert [e.value for e in result.errors] == [pii.mask_id_number(make_id_number(12))]


def test_personal_data_is_stored_encrypted(gbk_file, city):
    _json(gbk_file, "--org", city.district.code)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM members_member")
        dump = repr(cursor.fetchall())
    assert make_id_number(1) not in dump
    assert make_phone(1) not in dump
    member = Member.objects.get(name="王小明")
    assert pii.decrypt(member.id_number) == make_id_number(1)
    assert member.id_number_masked == pii.mask_id_number(make_id_number(1))


def test_the_clear_columns_of_a_dump_cannot_spell_an_id_number(gbk_file, city):
    """The birth date is stored (the benefit segments' age rules need the day); the last four
    digits, which the mask shows, must not be stored beside it, or the two would spell the
    whole number."""
    _json(gbk_file, "--org", city.district.code)
    member = Member.objects.get(name="王小明")
    secret = {"id_number", "id_number_index", "phone", "phone_index"}
    numbers = {"id", "employer_id", "org_id", "created_at", "updated_at"}  # any digits at all
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {Member._meta.db_table} WHERE id = %s", [member.pk])
        row = dict(zip([c[0] for c in cursor.description], cursor.fetchone(), strict=True))
    clear = " ".join(str(value) for name, value in row.items() if name not in secret | numbers)
    id_number = make_id_number(1)
    assert id_number[:6] in clear  # the native region, and
    assert id_number[6:10] in clear  # the birth date are there; the last four are not
    assert id_number[14:] not in clear


def test_xlsx_with_excel_dates_and_bad_rows(tmp_path, city):
    from datetime import date

    path = tmp_path / "members.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["name", "id_number", "phone", "org_code", "joined_on"])
    sheet.write_row(1, 0, ["表格甲", make_id_number(21), make_phone(21), "E00000001"])
    sheet.write_datetime(
        1,
        4,
        __import__("datetime").datetime(2022, 1, 5),
        book.add_format({"num_format": "yyyy-mm-dd"}),
    )
    sheet.write_row(2, 0, ["表格乙", "123", "", "E00000001", "2022-01-05"])
    book.close()
    result = member_import(path=path, scope_org=city.district)
    assert (result.created, result.rejected) == (1, 1)
    assert Member.objects.get(name="表格甲").joined_on == date(2022, 1, 5)
    assert member_import(path=path, scope_org=city.district).created == 0


def test_unreadable_file_exits_non_zero(tmp_path, city):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"\x00\x01\x02garbage")
    with pytest.raises(CommandError):
        call_command("import_members", str(path), "--org", city.district.code)


def test_rows_that_all_leave_out_the_last_columns_import(tmp_path, city, settings):
    """A file whose every row stops before the header's last columns (no union, no join
    date, not even their commas) imports with those cells empty."""
    _large_with_workers(settings, chunk=400)
    lines = [f"工人{i},{make_id_number(i + 400_000)}" for i in range(1000)]
    path = _csv(tmp_path / "short.csv", [HEADER, *lines])
    result = _json(path, "--org", city.community.code)  # which holds members itself
    assert (result["created"], result["rejected"]) == (1000, 0)


def test_a_large_file_damaged_midway_names_the_line_and_imports_nothing(tmp_path, city, settings):
    """Worker processes decode a plain file's chunks: the one that does not decode stops the
    import with the file's exact line, and the rows before it are not kept."""
    _large_with_workers(settings, chunk=400)
    lines = [f"工人{i},{make_id_number(i + 300_000)},,,,E00000001," for i in range(3000)]
    path = tmp_path / "damaged.csv"
    data = "\r\n".join([HEADER, *lines]).encode()
    at = data.index(lines[2100].encode())  # line 2 102: the header is line 1
    path.write_bytes(data[:at] + b"\xff\xfe" + data[at:])
    with pytest.raises(CommandError, match="2102"), translation.override("en"):
        call_command("import_members", str(path), "--org", city.district.code)
    assert not Member.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_killed_import_rerun_ends_as_one_clean_run(tmp_path, city):
    lines = [HEADER] + [
        f"工人{i},{make_id_number(i + 100_000, born=None)},,,,E00000001," for i in range(6000)
    ]
    path = _csv(tmp_path / "big.csv", lines)
    env = {**os.environ, "DATABASE_URL": database_url(), "GONGHUI_IMPORT_CHUNK": "500"}
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gonghui.manage",
            "import_members",
            str(path),
            "--json",
            "--org",
            city.district.code,
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while Member.objects.count() < 500 and time.monotonic() < deadline:
        time.sleep(0.01)
    child.send_signal(signal.SIGKILL)
    child.wait()
    partial = Member.objects.count()
    assert 0 < partial < 6000
    result = member_import(path=path, scope_org=city.district)
    assert result.created == 6000 - partial
    assert result.unchanged == partial
    assert Member.objects.count() == 6000
    assert Member.objects.values("id_number_index").distinct().count() == 6000


def _registry_locked_by_another() -> bool:
    """Another connection is inside a large import's one transaction: PostgreSQL's bulk load
    holds an exclusive lock on the registry, SQLite's one-pass import the write lock."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                "WHERE c.relname = %s AND l.mode = 'AccessExclusiveLock' "
                "AND l.pid <> pg_backend_pid()",
                [Member._meta.db_table],
            )
            return cursor.fetchone() is not None
    probe = sqlite3.connect(connection.settings_dict["NAME"], timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        probe.close()


@pytest.mark.django_db(transaction=True)
def test_a_large_import_killed_midway_writes_nothing_and_rerun_ends_as_one_clean_run(
    tmp_path, city, settings
):
    # Into an empty registry a large file is one transaction: PostgreSQL's bulk load, SQLite's
    # one-pass import. Killed inside it, nothing stays; the indexes it dropped are back.
    before = _index_names()
    rows = 30_000
    # One birth date per thousand rows: the ID numbers (date + row mod 1000) are all distinct.
    born = [date(1960, 1, 1) + timedelta(days=i // 1000) for i in range(rows)]
    lines = [HEADER] + [
        f"一次{i},{make_id_number(i, born=born[i])},,,,E00000001," for i in range(rows)
    ]
    path = _csv(tmp_path / "large.csv", lines)
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "GONGHUI_BULK_LOAD_BYTES": "0",
        "GONGHUI_IMPORT_CHUNK": "1000",
    }
    child = subprocess.Popen(
        [sys.executable, "-m", "gonghui.manage", "import_members", str(path), "--json"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not _registry_locked_by_another() and time.monotonic() < deadline:
        assert child.poll() is None, "the import ended before it could be killed"
        time.sleep(0.002)
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert Member.objects.count() == 0
    assert _index_names() == before
    settings.MEMBER_BULK_LOAD_BYTES = 0
    settings.MEMBER_IMPORT_WORKERS = 0
    result = member_import(path=path, scope_org=city.district)
    assert (result.created, result.rejected) == (rows, 0)
    assert Member.objects.values("id_number_index").distinct().count() == rows
    assert _index_names() == before


def _index_names() -> set[str]:
    with connection.cursor() as cursor:
        return {
            index
            for index, info in connection.introspection.get_constraints(
                cursor, Member._meta.db_table
            ).items()
            if info["index"]
        }


def test_bulk_load_into_an_empty_registry_keeps_every_index(tmp_path, city, settings):
    settings.MEMBER_BULK_LOAD_BYTES = 0  # every file counts as large
    before = _index_names()
    lines = [HEADER] + [f"批量{i},{make_id_number(i + 200_000)},,,,E00000001," for i in range(300)]
    result = member_import(path=_csv(tmp_path / "bulk.csv", lines), scope_org=city.district)
    assert (result.created, result.rejected) == (300, 0)
    assert _index_names() == before
    again = member_import(path=tmp_path / "bulk.csv", scope_org=city.district)
    assert (again.created, again.unchanged) == (0, 300)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="planner statistics are PostgreSQL's")
def test_a_bulk_load_leaves_planner_statistics_for_the_searched_columns_only(
    tmp_path, city, settings
):
    settings.MEMBER_BULK_LOAD_BYTES = 0
    lines = [HEADER] + [
        f"统计{i},{make_id_number(i + 250_000)},{make_phone(i)},,,E00000001,2020-01-02"
        for i in range(200)
    ]
    result = member_import(path=_csv(tmp_path / "stats.csv", lines), scope_org=city.district)
    assert result.created == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT attname FROM pg_stats WHERE tablename = %s", [Member._meta.db_table])
        columns = {name for (name,) in cursor.fetchall()}
    assert {"name", "name_pinyin", "name_initials", "id_number_index", "phone_index"} <= columns
    assert {"org_id", "status", "joined_on"} <= columns
    unsearched = {"id_number", "phone", "phone_masked", "created_at"}
    assert not columns & unsearched


@pytest.mark.parametrize(
    ("host", "cores", "workers"),
    [("", 2, 1), ("127.0.0.1", 2, 1), ("localhost", 8, 7), ("::1", 1, 0),
     ("/var/run/postgresql", 4, 3), ("db.internal", 2, None), ("10.0.0.5", 64, None)],
)  # fmt: skip
def test_index_builds_start_one_process_per_core_only_where_the_database_is_local(
    host, cores, workers
):
    assert staging.index_build_workers(host, cores) == workers


@pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel index builds")
def test_a_local_bulk_load_on_two_cores_builds_its_indexes_with_one_parallel_worker(
    tmp_path, city, settings, monkeypatch
):
    settings.MEMBER_BULK_LOAD_BYTES = 0
    monkeypatch.setattr(staging.os, "cpu_count", lambda: 2)
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_maintenance_workers")
        (server,) = cursor.fetchone()
    lines = [HEADER] + [f"并行{i},{make_id_number(i + 260_000)},,,,E00000001," for i in range(50)]
    with CaptureQueriesContext(connection) as queries:
        result = member_import(path=_csv(tmp_path / "cores.csv", lines), scope_org=city.district)
    assert result.created == 50
    capped = "SET LOCAL max_parallel_maintenance_workers = 1" in {q["sql"] for q in queries}
    assert capped == (int(server) > 1)


def test_an_id_number_repeated_in_a_later_chunk_is_reported_with_its_first_row(
    tmp_path, city, settings
):
    # On PostgreSQL this file takes the bulk load; on SQLite the staged path. Same outcome.
    settings.MEMBER_BULK_LOAD_BYTES = 0
    settings.MEMBER_IMPORT_WORKERS = 0
    settings.MEMBER_IMPORT_CHUNK = 100
    before = _index_names()
    lines = [HEADER] + [f"分块{i},{make_id_number(i + 300_000)},,,,E00000001," for i in range(250)]
    lines.append(f"重复,{make_id_number(300_005)},,,,E00000001,")
    result = member_import(path=_csv(tmp_path / "repeat.csv", lines), scope_org=city.district)
    assert (result.created, result.rejected) == (250, 1)
    (error,) = result.errors
    assert (error.row, error.column) == (252, "id_number")
    assert "7" in error.reason  # the first occurrence: row 7 (header is row 1)
    assert Member.objects.count() == 250
    assert _index_names() == before


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("handed_over", [100_000, 0], ids=["workers-know-employers", "looked-up"])
def test_worker_processes_validate_and_find_employers_like_the_importing_process(
    tmp_path, city, settings, monkeypatch, handed_over
):
    # Workers handed every employer in scope finish their rows; past the limit the importing
    # process looks the employers up. Same outcome either way.
    monkeypatch.setattr(importing, "EMPLOYERS_HANDED_OVER", handed_over)
    _large_with_workers(settings, chunk=100)
    e = city.employer
    lines = [HEADER]
    for i in range(400):
        employer = f",{e.uscc}," if i % 2 else f"{e.name},,"
        lines.append(f"并行{i},{make_id_number(i + 400_000)},{make_phone(i)},{employer},2020-01-02")
    lines[50] = f"坏号码,{_wrong_check(make_id_number(999))},,,,E00000001,"
    lines[350] = f"重复,{make_id_number(400_001)},,,,E00000001,"
    result = member_import(path=_csv(tmp_path / "workers.csv", lines), scope_org=city.district)
    assert (result.rows, result.created, result.rejected) == (400, 398, 2)
    assert [(x.row, x.column) for x in result.errors] == [(51, "id_number"), (351, "id_number")]
    assert Member.objects.filter(employer=e).count() == 398
    member = Member.objects.get(name="并行7")
    assert pii.decrypt(member.phone) == make_phone(7)
    assert member.org_id == e.union_id or member.org_id == e.community_id


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the halves are PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_a_large_reimport_compared_in_two_halves_finds_every_change_transfer_and_repeat(
    tmp_path, city, settings
):
    # Outside a transaction a large staged import splits its probes by the blind index and
    # compares the halves on two connections at once; nothing may fall between them.
    _large_with_workers(settings, chunk=20)
    ids = [make_id_number(i + 700_000) for i in range(80)]
    for i in range(30):  # registered: 0-9 unchanged, 10-19 renamed, 20-29 in another union
        MemberFactory(id_number=ids[i], name=f"登记{i}", phone="", org=city.employer.union)
    lines = [HEADER]
    for i in range(80):  # 30-79 new; rows 2-81
        name = f"改名{i}" if 10 <= i < 20 else f"登记{i}"
        union = "110101001001" if 20 <= i < 30 else "E00000001"
        lines.append(f"{name},{ids[i]},,,,{union},")
    lines += [f"再来{i},{ids[i]},,,,E00000001," for i in range(40, 80)]  # repeats: rows 82-121
    # Both halves hold repeats and transfers (else this test would not test the split).
    index = pii.vault().indexer("id_number")
    for group in (range(20, 30), range(40, 80)):
        assert {index(ids[i]) >= importing.HALF for i in group} == {True, False}

    result = member_import(path=_csv(tmp_path / "halves.csv", lines), scope_org=city.district)
    assert result.as_dict()["rows"] == 120
    assert (result.created, result.updated, result.unchanged) == (50, 10, 10)
    transfers = [(e.row, "转接" in e.reason) for e in result.errors if e.row < 82]
    assert transfers == [(row, True) for row in range(22, 32)]
    repeats = [(e.row, e.reason) for e in result.errors if e.row >= 82]
    assert [row for row, _reason in repeats] == list(range(82, 122))
    assert all(f"第 {row - 40} 行" in reason for row, reason in repeats)
    assert Member.objects.filter(name__startswith="改名").count() == 10
    assert not Member.objects.filter(name__startswith="再来").exists()


@pytest.mark.django_db(transaction=True)
def test_worker_processes_read_a_large_spreadsheet_themselves_with_its_row_numbers(
    tmp_path, city, settings
):
    # Outside a transaction the workers are forked and read their chunks of the sheet.
    _large_with_workers(settings, chunk=50)
    path = tmp_path / "workers.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["姓名", "身份证号", "工会代码"])
    for i in range(300):
        sheet.write_row(i + 1, 0, [f"表格{i}", make_id_number(i + 600_000), "E00000001"])
    sheet.write_row(120, 0, ["坏号码", _wrong_check(make_id_number(998)), "E00000001"])
    sheet.write_row(302, 0, ["隔一行", make_id_number(600_500), "E00000001"])  # row 302 blank
    book.close()
    result = member_import(path=path, scope_org=city.district)
    assert (result.rows, result.created, result.rejected) == (301, 300, 1)
    assert [(e.row, e.column) for e in result.errors] == [(121, "id_number")]
    assert Member.objects.filter(name="隔一行").exists()
    again = member_import(path=path, scope_org=city.district)
    assert (again.created, again.unchanged, again.rejected) == (0, 300, 1)


def test_a_stray_quote_in_a_large_csv_does_not_shift_the_row_numbers(tmp_path, city, settings):
    settings.MEMBER_BULK_LOAD_BYTES = 0
    settings.MEMBER_IMPORT_WORKERS = 0
    settings.MEMBER_IMPORT_CHUNK = 3
    lines = [HEADER] + [f"工人{i},{make_id_number(i + 500_000)},,,,E00000001," for i in range(400)]
    lines[2] = f'王"五,{make_id_number(500_001)},,,,E00000001,'  # the csv module keeps the quote
    lines[300] = f"坏号码,{_wrong_check(make_id_number(500_299))},,,,E00000001,"
    result = member_import(path=_csv(tmp_path / "quote.csv", lines), scope_org=city.district)
    assert [(e.row, e.column) for e in result.errors] == [(301, "id_number")]
    assert result.created == 399
    assert Member.objects.filter(name='王"五').exists()
