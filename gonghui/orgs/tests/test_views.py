from django.urls import reverse

from gonghui.testing import logged_in


def test_tree_opens_at_the_officers_own_org(city, street_officer):
    body = logged_in(street_officer).get(reverse("orgs:tree")).content.decode()
    assert "东华门街道总工会" in body
    assert "多福巷社区联合工会" in body
    assert "东城区总工会" not in body  # no breadcrumb above the officer's scope


def test_tree_shows_coverage_per_child(city, district_officer):
    response = logged_in(district_officer).get(reverse("orgs:detail", args=["110101"]))
    children = {child.code: cov for child, cov in response.context["children"]}
    assert children["110101001"].employers == 1
    assert children["110101001"].rate == 1.0
    assert children["110101002"].employers == 1
    assert children["110101002"].rate == 0.0


def test_htmx_request_gets_only_the_panel(city, district_officer):
    response = logged_in(district_officer).get(
        reverse("orgs:detail", args=["110101001"]), headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert "<html" not in body
    assert "多福巷社区联合工会" in body


def test_employer_list_filters_by_union(city, district_officer):
    response = logged_in(district_officer).get(reverse("orgs:employers"), {"has_union": "false"})
    names = [e.name for e in response.context["page"]]
    assert names == ["北京景山餐饮有限公司"]


def test_employer_list_searches_by_name(city, district_officer):
    response = logged_in(district_officer).get(reverse("orgs:employers"), {"q": "甲乙"})
    assert [e.name for e in response.context["page"]] == ["北京甲乙科技有限公司"]


def test_pages_require_login(city):
    from django.test import Client

    response = Client().get(reverse("orgs:tree"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_english_switch(city, street_officer):
    client = logged_in(street_officer)
    client.post(reverse("set_language"), {"language": "en", "next": "/orgs/"})
    assert "Union network" in client.get(reverse("orgs:tree")).content.decode()


def test_tree_counts_all_orgs_below_each_child(city, city_admin):
    response = logged_in(city_admin).get(reverse("orgs:tree"))
    children = {child.code: cov for child, cov in response.context["children"]}
    assert children["110101"].orgs_by_kind == {
        "district": 1,
        "street": 2,
        "community": 1,
        "enterprise": 1,
    }
