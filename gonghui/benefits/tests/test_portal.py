"""The worker's subsidy pages: apply, follow, correct; only one's own applications."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gonghui.benefits.models import SubsidyApplication, SubsidyStatus
from gonghui.benefits.services.subsidies import subsidy_decide
from gonghui.benefits.tests.helpers import WELDER, application_at, member_at, portal_client

pytestmark = pytest.mark.django_db


def _form(**overrides):
    data = {
        "certificate_no": "S2026-0001",
        "level": "1",
        "occupation_code": WELDER,
        "issued_on": (timezone.localdate() - timedelta(days=20)).isoformat(),
        "scan": SimpleUploadedFile("证书.pdf", b"%PDF-1.4\n%scan\n"),
    }
    return {**data, **overrides}


def test_worker_applies_with_a_scan(city, programme, worker):
    response = portal_client(worker).post(
        f"/portal/benefits/subsidies/{programme.code}/apply/", _form()
    )
    application = SubsidyApplication.objects.get()
    assert response["Location"] == f"/portal/benefits/applications/{application.code}/"
    assert application.member == worker
    assert application.amount == 2000
    assert application.scan


def test_worker_sees_every_failed_rule(city, programme, worker):
    client = portal_client(worker)
    response = client.post(
        f"/portal/benefits/subsidies/{programme.code}/apply/", _form(level="3"), follow=True
    )
    body = response.content.decode()
    assert 'data-status="rejected"' in body
    assert 'data-testid="reasons"' in body


def test_a_repeated_certificate_is_refused_on_the_form(city, programme, worker):
    earlier = application_at(city.community, programme=programme, certificate_no="S2026-0001")
    response = portal_client(worker).post(
        f"/portal/benefits/subsidies/{programme.code}/apply/", _form()
    )
    assert response.status_code == 200
    assert earlier.code in response.content.decode()
    assert SubsidyApplication.objects.count() == 1


def test_workers_see_only_their_own_applications(city, programme, worker):
    mine = application_at(city.community, programme=programme, member=worker)
    neighbour = member_at(city.community, name="赵邻居")
    theirs = application_at(city.community, programme=programme, member=neighbour)
    client = portal_client(worker)
    assert client.get(f"/portal/benefits/applications/{mine.code}/").status_code == 200
    assert client.get(f"/portal/benefits/applications/{theirs.code}/").status_code == 404
    assert client.get(f"/portal/benefits/applications/{theirs.code}/correct/").status_code == 404
    listing = client.get("/portal/benefits/subsidies/").content.decode()
    assert mine.code in listing
    assert theirs.code not in listing


def test_a_returned_application_is_corrected_in_the_portal(city, programme, worker, street_officer):
    application = application_at(city.community, programme=programme, member=worker, level=1)
    subsidy_decide(
        user=street_officer, application=application, decision="return", note="请改为二级"
    )
    client = portal_client(worker)
    client.post(f"/portal/benefits/applications/{application.code}/correct/",
                _form(certificate_no=application.certificate_no, level="2"))  # fmt: skip
    application.refresh_from_db()
    assert application.status == SubsidyStatus.SUBMITTED
    assert application.amount == 1000


def test_a_programme_of_another_district_is_not_open(city, worker):
    from gonghui.benefits.tests.helpers import programme_at

    other = programme_at(city.other_district, code="XC")
    assert (
        portal_client(worker).get(f"/portal/benefits/subsidies/{other.code}/apply/").status_code
        == 404
    )
