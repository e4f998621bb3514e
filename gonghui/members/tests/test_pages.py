import re

import pytest
from django.db import connection
from django.urls import reverse
from python_calamine import CalamineWorkbook

from gonghui.accounts.models import Role
from gonghui.accounts.services import user_create_or_update
from gonghui.core import counting
from gonghui.core.models import AuditAction, AuditEntry
from gonghui.members.tests.factories import MemberFactory, make_id_number, make_phone
from gonghui.testing import PASSWORD, logged_in

FULL_ID = re.compile(r"\d{17}[\dXx]")
FULL_PHONE = re.compile(r"1[3-9]\d{9}")


@pytest.fixture
def member(city):
    return MemberFactory(
        name="王芳",
        org=city.community,
        id_number=make_id_number(41),
        phone=make_phone(41),
        employer=city.employer,
    )


@pytest.fixture
def foreign_member(city):
    return MemberFactory(name="赵外", org=city.other_community, id_number=make_id_number(42))


def _text(response) -> str:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return raw.decode(errors="replace")


def test_list_and_detail_show_masked_values_only(member, street_officer):
    client = logged_in(street_officer)
    for url in (reverse("members:list"), reverse("members:detail", args=[member.pk])):
        text = _text(client.get(url))
        assert "王芳" in text
        assert member.id_number_masked in text
        assert not FULL_ID.search(text)
        assert not FULL_PHONE.search(text)


def _birth_date_spellings(id_number: str) -> list[str]:
    digits = id_number[6:14]
    return [digits, f"{digits[:4]}-{digits[4:6]}-{digits[6:]}", f"{digits[:4]}/{digits[4:6]}"]


def test_the_page_and_masked_export_show_the_birth_year_not_the_date_the_mask_hides(
    member, street_officer
):
    """The masked ID keeps the region and the last four digits; the birth date is the eight it
    hides, so showing it beside the mask would give the whole number away, unaudited."""
    client = logged_in(street_officer)
    page = _text(client.get(reverse("members:detail", args=[member.pk])))
    rows = _export_rows(client.get(reverse("members:export"), {"format": "xlsx"}))
    exported = " ".join(str(cell) for cell in rows[1])
    for text in (page, exported):
        assert member.id_number_masked in text
        assert str(member.birth_date.year) in text
        assert not [s for s in _birth_date_spellings(make_id_number(41)) if s in text]


def test_the_list_counts_exactly_up_to_the_cap_and_estimates_past_it(
    member, city, district_officer, monkeypatch
):
    MemberFactory(name="王二", org=city.community, id_number=make_id_number(43))
    client = logged_in(district_officer)
    response = client.get(reverse("members:list"))
    assert (response.context["total"], response.context["total_exact"]) == (2, True)
    monkeypatch.setattr(counting, "EXACT_UP_TO", 1)
    response = client.get(reverse("members:list"))
    if connection.vendor == "postgresql":
        assert response.context["total_exact"] is False
        assert re.search(r"约 [\d,]+ 名会员", _text(response))
    else:  # SQLite counts exactly
        assert (response.context["total"], response.context["total_exact"]) == (2, True)


def test_search_by_pinyin_initials(member, foreign_member, district_officer):
    response = logged_in(district_officer).get(reverse("members:list"), {"q": "wf"})
    assert [m.name for m in response.context["members"]] == ["王芳"]


def test_reveal_with_reason_shows_the_number_and_is_audited(member, street_officer):
    response = logged_in(street_officer).post(
        reverse("members:reveal", args=[member.pk]),
        {"field": "id_number", "reason": "核对会员身份"},
    )
    assert make_id_number(41) in response.content.decode()
    entry = AuditEntry.objects.get(action=AuditAction.REVEAL)
    assert (entry.actor, entry.target_id, entry.reason) == (
        street_officer,
        str(member.pk),
        "核对会员身份",
    )
    assert entry.detail == {"field": "id_number"}


def test_reveal_without_reason_is_refused_and_not_audited(member, street_officer):
    response = logged_in(street_officer).post(
        reverse("members:reveal", args=[member.pk]), {"field": "phone", "reason": ""}
    )
    assert response.status_code == 400
    assert make_phone(41) not in response.content.decode()
    assert not AuditEntry.objects.filter(action=AuditAction.REVEAL).exists()


def test_read_only_role_cannot_reveal(member, city):
    viewer = user_create_or_update(
        username="viewer", scope_org=city.street, role=Role.READONLY, password=PASSWORD
    )
    response = logged_in(viewer).post(
        reverse("members:reveal", args=[member.pk]), {"field": "phone", "reason": "查看"}
    )
    assert response.status_code == 403
    assert make_phone(41) not in response.content.decode()


def _export_rows(response) -> list[list]:
    path = "/tmp/gonghui-test-export.xlsx"
    with open(path, "wb") as f:
        f.write(b"".join(response.streaming_content))
    return CalamineWorkbook.from_path(path).get_sheet_by_index(0).to_python()


def test_export_is_masked_scoped_and_audited(member, foreign_member, street_officer):
    response = logged_in(street_officer).get(reverse("members:export"), {"format": "xlsx"})
    rows = _export_rows(response)
    assert [r[0] for r in rows[1:]] == ["王芳"]
    assert rows[1][1] == member.id_number_masked
    assert AuditEntry.objects.get(action=AuditAction.EXPORT).detail == {
        "unmasked": False,
        "rows": 1,
    }


def test_unmasked_export_needs_the_permission(member, street_officer):
    response = logged_in(street_officer).post(
        reverse("members:export"), {"reason": "年度核查", "format": "csv"}
    )
    assert response.status_code == 403
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()


def test_unmasked_export_by_an_admin_is_full_and_audited(member, city_admin):
    response = logged_in(city_admin).post(
        reverse("members:export"), {"reason": "年度核查", "format": "csv"}
    )
    text = _text(response)
    assert make_id_number(41) in text
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert (entry.reason, entry.detail["unmasked"]) == ("年度核查", True)


def test_template_has_the_headers(city, street_officer):
    response = logged_in(street_officer).get(reverse("members:import_template"))
    path = "/tmp/gonghui-template.xlsx"
    with open(path, "wb") as f:
        f.write(b"".join(response.streaming_content))
    header = CalamineWorkbook.from_path(path).get_sheet_by_index(0).to_python()[0]
    assert header[:2] == ["姓名", "身份证号"]


@pytest.mark.django_db(transaction=True)
def test_upload_runs_as_a_background_job_with_a_result(city, street_officer):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gonghui.members.models import ImportStatus, Member, MemberImport
    from gonghui.testing import run_gonghui

    content = f"姓名,身份证号,工会代码\n上传甲,{make_id_number(51)},110101001001\n上传乙,123,\n"
    upload = SimpleUploadedFile("members.csv", content.encode("gbk"), content_type="text/csv")
    response = logged_in(street_officer).post(reverse("members:imports"), {"file": upload})
    job = MemberImport.objects.get()
    assert response.status_code == 302
    assert job.status == ImportStatus.QUEUED
    worker = run_gonghui("db_worker", "--batch", "--no-startup-delay", "--no-reload")
    assert worker.returncode == 0, worker.stderr
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert (job.result["created"], job.result["rejected"]) == (1, 1)
    assert Member.objects.filter(name="上传甲").exists()
    page = logged_in(street_officer).get(reverse("members:import", args=[job.pk]))
    assert 'data-status="done"' in page.content.decode()
    report = logged_in(street_officer).get(reverse("members:import_errors", args=[job.pk]))
    assert report.status_code == 200


def _running_import(user, **progress):
    from gonghui.members.models import ImportStatus, MemberImport

    return MemberImport.objects.create(
        file="imports/members/big.csv",
        original_name="big.csv",
        org=user.scope_org,
        created_by=user,
        status=ImportStatus.RUNNING,
        **progress,
    )


def test_a_running_import_shows_how_far_the_write_has_come(city, street_officer):
    job = _running_import(street_officer, rows_done=12000)
    page = logged_in(street_officer).get(reverse("members:import", args=[job.pk])).content.decode()
    assert "12000" in page.replace(",", "")  # grouped or not, as the language writes it
    assert "import-writing" not in page  # still checking: no total yet
    job.rows_to_write, job.rows_written = 400, 150
    job.save()
    page = logged_in(street_officer).get(reverse("members:import", args=[job.pk])).content.decode()
    assert 'data-testid="import-writing"' in page
    assert 'max="400" value="150"' in page


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the bulk load is PostgreSQL's")
def test_a_jobs_progress_shows_at_once_even_from_inside_a_long_transaction(city, street_officer):
    from django.db import DEFAULT_DB_ALIAS, connections, transaction

    from gonghui.members.services.imports import _JobProgress

    job = _running_import(street_officer)
    progress = _JobProgress(job.pk)
    reader = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with transaction.atomic():  # a bulk load holds one open for minutes
            progress.rows(5000)
            progress.writing(0, 5000)
            with reader.cursor() as cursor:
                cursor.execute(
                    "SELECT rows_done, rows_to_write FROM members_memberimport WHERE id = %s",
                    [job.pk],
                )
                assert cursor.fetchone() == (5000, 5000)
    finally:
        progress.close()
        reader.close()
