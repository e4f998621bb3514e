import contextlib
import gc
import json
import sys

import pytest
import xlsxwriter

from gonghui.core import tabular
from gonghui.manage import _read_ahead, main


def test_a_command_leaves_its_objects_out_of_the_final_collection(monkeypatch, capsys):
    """The console script freezes what is alive when a command is done, so that the process
    exits without the interpreter's final collection walking every object (a large import
    leaves millions, ~0.2 s)."""
    monkeypatch.setattr(sys, "argv", ["gonghui", "version"])
    before = gc.get_freeze_count()
    try:
        main()
        assert capsys.readouterr().out.strip()  # the command ran
        assert gc.get_freeze_count() > before
    finally:
        gc.unfreeze()


@pytest.mark.django_db
def test_an_imports_spreadsheet_is_read_once_ahead_of_django_setting_up(
    tmp_path, monkeypatch, capsys, city
):
    path = tmp_path / "members.xlsx"
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet().write_row(0, 0, ["姓名", "身份证号", "工会代码"])
    book.close()
    read_ahead, reads = tabular.read_ahead, []
    monkeypatch.setattr(tabular, "read_ahead", lambda p: reads.append(p) or read_ahead(p))
    argv = ["gonghui", "import_members", "--org", city.district.code, str(path), "--json"]
    monkeypatch.setattr(sys, "argv", argv)
    try:
        main()
        assert json.loads(capsys.readouterr().out)["rows"] == 0
        assert reads == [path]
    finally:
        gc.unfreeze()


@pytest.mark.django_db
def test_an_import_sets_django_up_without_the_cyclic_collector_and_runs_with_it(
    tmp_path, monkeypatch, capsys, city
):
    path = tmp_path / "members.csv"
    path.write_text("姓名,身份证号,工会代码\n", encoding="utf-8")
    argv = ["gonghui", "import_members", "--org", city.district.code, str(path), "--json"]
    monkeypatch.setattr(sys, "argv", argv)
    seen = []
    monkeypatch.setattr("django.setup", lambda *a, **k: seen.append(gc.isenabled()))
    try:
        main()
        assert json.loads(capsys.readouterr().out)["rows"] == 0
        assert seen == [False]
        assert gc.isenabled()
    finally:
        gc.enable()
        gc.unfreeze()


def test_the_error_report_named_before_the_file_is_not_what_is_read_ahead(tmp_path, monkeypatch):
    report, path = tmp_path / "errors.xlsx", tmp_path / "members.xlsx"
    for book in (report, path):
        xlsxwriter.Workbook(str(book)).close()
    reads: list = []
    monkeypatch.setattr(tabular, "read_ahead", reads.append)
    _read_ahead(["import_members", "--errors", str(report), str(path), "--json"])
    assert reads == [path]


def test_other_commands_read_nothing_ahead(tmp_path, monkeypatch, capsys):
    path = tmp_path / "book.xlsx"
    xlsxwriter.Workbook(str(path)).close()
    monkeypatch.setattr(tabular, "read_ahead", lambda p: pytest.fail(f"read ahead {p}"))
    monkeypatch.setattr(sys, "argv", ["gonghui", "version", str(path)])
    try:
        with contextlib.suppress(SystemExit):
            main()
    finally:
        gc.unfreeze()
