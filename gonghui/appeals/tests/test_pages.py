"""Back-office pages: hotline intake, workbench queues, detail actions over HTMX, downloads."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from gonghui.appeals.models import Appeal, AppealStatus
from gonghui.appeals.tests.helpers import file_appeal, handler
from gonghui.members.tests.factories import MemberFactory, make_id_number
from gonghui.testing import api_client, logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(city):
    return handler("operator", city.district)


def test_the_hotline_form_files_an_appeal_and_opens_it(city, operator):
    response = logged_in(operator).post(
        "/appeals/new/",
        {
            "phone": "139 0000 1234",
            "name": "陈静",
            "channel": "hotline",
            "nature": "complaint",
            "category": "wage_arrears",
            "employer": city.employer.uscc,
            "workers_involved": "2",
            "difficulty": "ordinary",
            "content": "加班费未支付",
        },
    )
    appeal = Appeal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/appeals/{appeal.tracking_code}/"
    assert appeal.created_by == operator
    assert appeal.employer == city.employer


def test_a_bad_phone_is_shown_next_to_the_field_and_nothing_is_filed(city, operator):
    with translation.override("en"):
        response = logged_in(operator).post(
            "/appeals/new/",
            {"phone": "123", "name": "陈静", "channel": "hotline", "nature": "complaint",
             "category": "other", "workers_involved": "1", "difficulty": "ordinary",
             "content": "x"},
        )  # fmt: skip
    assert response.status_code == 200
    assert "11 digits" in response.content.decode()
    assert not Appeal.objects.exists()


def test_typing_the_callers_phone_shows_the_member_and_recent_appeals_masked(city, operator):
    member = MemberFactory(org=city.community, phone="13900002222", name="周明")
    earlier = file_appeal(city.city, phone="13900002222", employer_uscc=city.employer.uscc)
    page = logged_in(operator).get("/appeals/caller/?phone=13900002222", HTTP_HX_REQUEST="true")
    body = page.content.decode()
    assert member.name in body
    assert member.id_number_masked in body
    assert earlier.tracking_code in body
    assert "13900002222" not in body


def test_the_employer_autocomplete_offers_employers_in_scope(city, street_officer):
    body = logged_in(street_officer).get("/appeals/employers/?employer=北京").content.decode()
    assert city.employer.uscc in body
    assert city.other_employer.name not in body


def test_the_workbench_shows_my_queue_with_an_sla_badge(city):
    worker = handler("queue_handler", city.street)
    appeal = file_appeal(city.city, employer_uscc=city.employer.uscc)
    with translation.override("en"):
        body = logged_in(worker).get("/appeals/?queue=mine").content.decode()
    assert appeal.tracking_code in body
    assert "working days left" in body


def test_accepting_over_htmx_redraws_the_panel(city):
    worker = handler("htmx_handler", city.street)
    appeal = file_appeal(city.city, employer_uscc=city.employer.uscc)
    response = logged_in(worker).post(
        f"/appeals/{appeal.tracking_code}/accept/", HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert 'data-status="accepted"' in response.content.decode()
    assert "<html" not in response.content.decode()


def test_an_illegal_action_is_refused_with_its_message(city):
    worker = handler("htmx_handler", city.street)
    appeal = file_appeal(city.city, employer_uscc=city.employer.uscc)
    with translation.override("en"):
        response = logged_in(worker).post(
            f"/appeals/{appeal.tracking_code}/close/", HTTP_HX_REQUEST="true"
        )
    assert response.status_code == 400
    assert "is not possible" in response.content.decode()
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.DISPATCHED


def test_bulk_assign_gives_the_ticked_appeals_to_one_handler(city, street_officer):
    first = file_appeal(city.city, employer_uscc=city.employer.uscc)
    second = file_appeal(city.city, employer_uscc=city.employer.uscc)
    colleague = handler("colleague", city.street)
    logged_in(street_officer).post(
        f"/appeals/orgs/{city.street.code}/assign/",
        {"appeal": [first.tracking_code, second.tracking_code], "handler": colleague.pk},
    )
    assert set(Appeal.objects.values_list("handler__username", flat=True)) == {"colleague"}


def test_an_attachment_is_downloaded_only_in_scope(city, street_officer, other_district_officer):
    appeal = file_appeal(city.city, employer_uscc=city.employer.uscc)
    pdf = SimpleUploadedFile("合同.pdf", b"%PDF-1.4 contract", content_type="application/pdf")
    logged_in(street_officer).post(f"/appeals/{appeal.tracking_code}/attach/", {"file": pdf})
    attachment = appeal.attachments.get()
    mine = logged_in(street_officer).get(f"/appeals/attachments/{attachment.pk}/")
    assert b"".join(mine.streaming_content) == b"%PDF-1.4 contract"
    theirs = logged_in(other_district_officer).get(f"/appeals/attachments/{attachment.pk}/")
    assert theirs.status_code == 404


def test_a_file_that_is_not_pdf_or_image_is_refused(city, street_officer):
    appeal = file_appeal(city.city, employer_uscc=city.employer.uscc)
    exe = SimpleUploadedFile("wage.pdf", b"MZ\x90\x00 not a pdf")
    logged_in(street_officer).post(f"/appeals/{appeal.tracking_code}/attach/", {"file": exe})
    assert not appeal.attachments.exists()


def test_the_detail_shows_the_timeline_and_masks_the_phone(city, street_officer):
    appeal = file_appeal(city.city, employer_uscc=city.employer.uscc, phone="13811112222")
    body = logged_in(street_officer).get(f"/appeals/{appeal.tracking_code}/").content.decode()
    assert 'data-testid="timeline"' in body
    assert "138****2222" in body
    assert "13811112222" not in body


FULL_ID_OR_PHONE = re.compile(r"(?<!\d)(\d{17}[\dXx]|1[3-9]\d{9})(?!\d)")


def test_no_appeal_page_or_api_answer_shows_a_full_id_number_or_phone(city, street_officer):
    appeal = file_appeal(
        city.city,
        employer_uscc=city.employer.uscc,
        phone="13811113333",
        id_number=make_id_number(77),
    )
    client = logged_in(street_officer)
    pages = [
        "/appeals/",
        "/appeals/?queue=org",
        f"/appeals/{appeal.tracking_code}/",
        "/appeals/stats/",
        "/appeals/report/",
        "/api/v1/appeals",
        f"/api/v1/appeals/{appeal.tracking_code}",
    ]
    token_client = api_client(street_officer)
    for path in pages:
        response = (token_client if path.startswith("/api/") else client).get(path)
        assert response.status_code == 200, path
        assert FULL_ID_OR_PHONE.findall(response.content.decode()) == [], path
