from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from gonghui.orgs.models import (
    FollowUpKind,
    FollowUpOutcome,
    OrgKind,
    OrgWorkSettings,
    SupervisionItem,
    SupervisionStatus,
)
from gonghui.orgs.services import employer_import_rows
from gonghui.orgs.services.rules import add_months
from gonghui.orgs.services.supervision import (
    employer_union_set,
    supervision_followup_add,
    supervision_rebuild,
)
from gonghui.orgs.tests.factories import EmployerFactory, SupervisionItemFactory, UnionOrgFactory
from gonghui.testing import api_client, logged_in

AS_OF = date(2026, 11, 30)


@pytest.fixture
def unorganized(city):
    """Open since 2015 with 60 staff and no union, in the city's community."""
    return EmployerFactory(
        name="北京未建会有限公司",
        org=city.community,
        community=city.community,
        employees=60,
        opened_on=date(2015, 3, 1),
    )


def test_the_rule_lists_old_enough_big_enough_employers_without_a_union(city, unorganized):
    EmployerFactory(org=city.community, employees=24, opened_on=date(2015, 1, 1))  # too small
    EmployerFactory(org=city.community, employees=80, opened_on=date(2022, 1, 1))  # too young
    EmployerFactory(org=city.community, employees=80, opened_on=date(2021, 11, 30))  # exactly 5
    result = supervision_rebuild(scope_org=city.city, as_of=AS_OF)
    assert result.listed == 2
    item = SupervisionItem.objects.get(employer=unorganized)
    assert item.responsible_org == city.community
    assert item.deadline == add_months(AS_OF, 6)
    assert item.status == SupervisionStatus.OPEN


def test_a_rebuild_is_idempotent(city, unorganized):
    supervision_rebuild(scope_org=city.city, as_of=AS_OF)
    again = supervision_rebuild(scope_org=city.city, as_of=AS_OF)
    assert (again.listed, again.closed, again.active) == (0, 0, 1)
    assert SupervisionItem.objects.count() == 1


def test_the_rule_is_configurable(city, unorganized):
    rules = OrgWorkSettings.current()
    rules.supervision_min_employees = 100
    rules.supervision_deadline_months = 3
    rules.save()
    assert supervision_rebuild(scope_org=city.city, as_of=AS_OF).listed == 0
    rules.supervision_min_employees = 50
    rules.save()
    supervision_rebuild(scope_org=city.city, as_of=AS_OF)
    assert SupervisionItem.objects.get().deadline == date(2027, 2, 28)


def test_an_employer_without_community_is_followed_by_its_street(city):
    employer = EmployerFactory(org=city.street, employees=30, opened_on=date(2010, 1, 1))
    supervision_rebuild(scope_org=city.city, as_of=AS_OF)
    assert SupervisionItem.objects.get(employer=employer).responsible_org == city.street


def test_registering_a_union_closes_the_item(city, unorganized, district_officer):
    supervision_rebuild(scope_org=city.city, as_of=AS_OF)
    union = UnionOrgFactory(parent=city.community, kind=OrgKind.ENTERPRISE, code="E00000077")
    employer_union_set(user=district_officer, employer=unorganized, union=union)
    item = SupervisionItem.objects.get(employer=unorganized)
    assert item.status == SupervisionStatus.ESTABLISHED
    assert item.closed_on == timezone.localdate()


def test_an_employer_import_naming_the_union_closes_the_item(city, unorganized):
    supervision_rebuild(scope_org=city.city, as_of=AS_OF)
    UnionOrgFactory(parent=city.community, kind=OrgKind.ENTERPRISE, code="E00000078")
    row = {"name": unorganized.name, "uscc": unorganized.uscc, "union_code": "E00000078"}
    result = employer_import_rows(rows=[(2, row, list(row.values()))], scope_org=city.city)
    assert result.updated == 1
    assert SupervisionItem.objects.get().status == SupervisionStatus.ESTABLISHED


def test_repeated_refusal_escalates_the_item(city, unorganized, street_officer):
    supervision_rebuild(scope_org=city.city, as_of=AS_OF)
    item = SupervisionItem.objects.get()
    day = timezone.localdate() - timedelta(days=10)
    for n in range(2):
        supervision_followup_add(
            user=street_officer, item=item, happened_on=day + timedelta(days=n),
            kind=FollowUpKind.VISIT, outcome=FollowUpOutcome.REFUSED, note="老板拒绝",
        )  # fmt: skip
        item.refresh_from_db()
    assert (item.refusals, item.status) == (2, SupervisionStatus.ESCALATED)


def test_not_applicable_needs_a_reason_and_closes_the_item(city, unorganized, street_officer):
    supervision_rebuild(scope_org=city.city, as_of=AS_OF)
    item = SupervisionItem.objects.get()
    kwargs = {
        "user": street_officer, "item": item, "happened_on": timezone.localdate(),
        "kind": FollowUpKind.VISIT, "outcome": FollowUpOutcome.NOT_APPLICABLE,
    }  # fmt: skip
    with pytest.raises(ValidationError):
        supervision_followup_add(**kwargs, note="")
    supervision_followup_add(**kwargs, note="实际用工不足25人")
    item.refresh_from_db()
    assert (item.status, item.close_reason) == (
        SupervisionStatus.NOT_APPLICABLE,
        "实际用工不足25人",
    )
    with pytest.raises(ValidationError):
        supervision_followup_add(**{**kwargs, "outcome": FollowUpOutcome.ONGOING})


def test_api_lists_items_with_the_required_fields(city, unorganized, district_officer):
    supervision_rebuild(scope_org=city.city, as_of=AS_OF)
    body = api_client(district_officer).get("/api/v1/supervision", {"status": "open"}).json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["employer_uscc"] == unorganized.uscc
    assert item["status"] == "open"
    assert item["responsible_org"] == city.community.code
    assert item["deadline"] == "2027-05-30"


def test_api_filters_by_org_and_status(city, unorganized, district_officer):
    supervision_rebuild(scope_org=city.city, as_of=AS_OF)
    client = api_client(district_officer)
    assert client.get("/api/v1/supervision", {"org": city.sibling_street.code}).json()["count"] == 0
    assert client.get("/api/v1/supervision", {"org": city.street.code}).json()["count"] == 1
    assert client.get("/api/v1/supervision", {"status": "escalated"}).json()["count"] == 0
    assert client.get("/api/v1/supervision", {"status": "bogus"}).status_code == 422


def test_a_district_officer_sees_only_their_districts_items(
    city, unorganized, district_officer, other_district_officer
):
    other = SupervisionItemFactory(
        employer__org=city.other_community, employer__community=city.other_community
    )
    supervision_rebuild(scope_org=city.city, as_of=AS_OF)
    mine = SupervisionItem.objects.get(employer=unorganized)
    body = api_client(district_officer).get("/api/v1/supervision").json()
    assert [i["employer_uscc"] for i in body["items"]] == [unorganized.uscc]
    page = logged_in(district_officer).get("/orgs/supervision/").content.decode()
    assert unorganized.name in page
    assert other.employer.name not in page
    assert logged_in(district_officer).get(f"/orgs/supervision/{other.pk}/").status_code == 404
    assert logged_in(other_district_officer).get(f"/orgs/supervision/{mine.pk}/").status_code == 404


def test_a_district_officer_edits_only_their_districts_items(
    city, unorganized, district_officer, other_district_officer
):
    supervision_rebuild(scope_org=city.city, as_of=AS_OF)
    item = SupervisionItem.objects.get()
    data = {"happened_on": "2026-11-01", "kind": "visit", "outcome": "refused", "note": "拒绝"}
    url = f"/orgs/supervision/{item.pk}/follow-up/"
    assert logged_in(other_district_officer).post(url, data).status_code == 404
    item.refresh_from_db()
    assert item.refusals == 0
    assert logged_in(district_officer).post(url, data).status_code == 302
    item.refresh_from_db()
    assert item.refusals == 1


def test_the_page_counts_items_per_district(city, unorganized, city_admin):
    SupervisionItemFactory(
        employer__org=city.other_community, employer__community=city.other_community,
        responsible_org=city.other_community,
    )  # fmt: skip
    supervision_rebuild(scope_org=city.city, as_of=AS_OF)
    response = logged_in(city_admin).get("/orgs/supervision/")
    counts = {row.org.code: row.total for row in response.context["counts"]}
    assert counts == {"110101": 1, "110102": 1}


def test_the_page_rebuilds_the_list_of_the_officers_scope(city, unorganized, street_officer):
    EmployerFactory(org=city.sibling_street, employees=90, opened_on=date(2012, 1, 1))
    response = logged_in(street_officer).post("/orgs/supervision/")
    assert response.status_code == 302
    assert list(SupervisionItem.objects.values_list("employer_id", flat=True)) == [unorganized.pk]


def test_a_federation_admin_changes_the_rule_on_the_settings_page(city, city_admin):
    data = {
        "supervision_min_years": 3, "supervision_min_employees": 20,
        "supervision_deadline_months": 4, "supervision_refusals_to_escalate": 3,
        "staffing_enterprises_for_second": 120, "election_term_warning_days": 60,
        "rating_excellent_score": 92, "rating_pass_score": 70,
    }  # fmt: skip
    response = logged_in(city_admin).post("/orgs/work-settings/", {"form": "rules", **data})
    assert response.status_code == 302
    rules = OrgWorkSettings.current()
    assert (rules.supervision_min_years, rules.supervision_deadline_months) == (3, 4)


def test_officers_read_the_rules_but_may_not_change_them(city, street_officer):
    client = logged_in(street_officer)
    assert client.get("/orgs/work-settings/").status_code == 200
    response = client.post("/orgs/work-settings/", {"form": "rules", "supervision_min_years": 1})
    assert response.status_code == 403
    assert OrgWorkSettings.current().supervision_min_years == 5


def test_a_federation_admin_adds_a_checklist_item(city, city_admin):
    from gonghui.orgs.models import RatingItem

    data = {"form": "item", "code": "R10", "title": "开展劳动竞赛", "weight": 5, "active": "on",
            "position": 10}  # fmt: skip
    assert logged_in(city_admin).post("/orgs/work-settings/", data).status_code == 302
    assert RatingItem.objects.get(code="R10").weight == 5
