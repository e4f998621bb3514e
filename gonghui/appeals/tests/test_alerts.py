"""Early warning: repeated appeals about one employer, or many workers in one appeal."""

import pytest

from gonghui.appeals.models import Alert, AlertKind
from gonghui.appeals.services.alerts import alert_acknowledge
from gonghui.appeals.tests.helpers import at, file_appeal
from gonghui.testing import logged_in

pytestmark = pytest.mark.django_db


def _about(city, employer, day, **kw):
    return file_appeal(city.city, employer_uscc=employer.uscc, received_at=at(day), **kw)


def test_three_appeals_about_one_employer_within_7_days_raise_an_alert(city):
    _about(city, city.employer, "2026-03-02 10:00")
    _about(city, city.employer, "2026-03-04 10:00")
    assert not Alert.objects.exists()
    third = _about(city, city.employer, "2026-03-06 10:00")
    alert = Alert.objects.get()
    assert alert.kind == AlertKind.EMPLOYER_CLUSTER
    assert alert.org == city.district
    assert alert.appeals_count == 3
    assert alert.appeal == third


def test_appeals_spread_over_more_than_7_days_raise_none(city):
    for day in ("2026-03-02", "2026-03-10", "2026-03-18"):
        _about(city, city.employer, f"{day} 10:00")
    assert not Alert.objects.exists()


def test_a_growing_cluster_updates_its_open_alert(city):
    for day in ("2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05"):
        _about(city, city.employer, f"{day} 10:00")
    alert = Alert.objects.get()
    assert alert.appeals_count == 4


def test_ten_workers_in_one_appeal_raise_an_alert(city):
    _about(city, city.employer, "2026-03-02 10:00", workers_involved=12)
    alert = Alert.objects.get()
    assert alert.kind == AlertKind.MASS
    assert alert.workers_involved == 12


def test_the_threshold_is_configurable(city, settings):
    settings.APPEALS_ALERT_APPEALS = 2
    _about(city, city.employer, "2026-03-02 10:00")
    _about(city, city.employer, "2026-03-03 10:00")
    assert Alert.objects.count() == 1


def test_the_district_officer_sees_the_alert_on_the_workbench(city, district_officer):
    _about(city, city.employer, "2026-03-02 10:00", workers_involved=15)
    page = logged_in(district_officer).get("/appeals/?queue=all").content.decode()
    assert 'data-testid="alerts"' in page
    assert city.employer.name in page


def test_another_district_does_not_see_it(city, other_district_officer):
    _about(city, city.employer, "2026-03-02 10:00", workers_involved=15)
    page = logged_in(other_district_officer).get("/appeals/").content.decode()
    assert 'data-testid="alerts"' not in page


def test_an_acknowledged_alert_leaves_the_workbench(city, district_officer):
    _about(city, city.employer, "2026-03-02 10:00", workers_involved=15)
    alert_acknowledge(user=district_officer, alert=Alert.objects.get())
    page = logged_in(district_officer).get("/appeals/").content.decode()
    assert 'data-testid="alerts"' not in page
