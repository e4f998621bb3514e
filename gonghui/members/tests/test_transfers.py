import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from gonghui.accounts.models import Role
from gonghui.accounts.services import user_create_or_update
from gonghui.members.models import MemberStatus, MemberTransfer, TransferStatus
from gonghui.members.services.transfers import (
    transfer_accept,
    transfer_cancel,
    transfer_reject,
    transfer_request,
)
from gonghui.members.tests.factories import MemberFactory
from gonghui.orgs.models import OrgKind
from gonghui.orgs.tests.factories import UnionOrgFactory
from gonghui.testing import PASSWORD, logged_in


def _staff(user) -> Client:
    client = logged_in(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def member(city):
    """A member of the enterprise union of 北京甲乙科技 (东华门街道, 东城区)."""
    return MemberFactory(org=city.employer.union, employer=city.employer)


@pytest.fixture
def third_district_officer(city):
    district = UnionOrgFactory(
        parent=city.city, kind=OrgKind.DISTRICT, code="110105", name="朝阳区总工会"
    )
    return user_create_or_update(
        username="third_district_officer", scope_org=district, role=Role.OFFICER, password=PASSWORD
    )


def _outward(city, member, officer) -> MemberTransfer:
    """东华门 → 府右街社区 (西城区): outside the street officer's scope."""
    return transfer_request(
        user=officer, member=member, to_org=city.other_community, reason="换工作"
    )


def _request(client: Client, member, code: str, reason: str = "工作调动"):
    url = reverse("members:transfer_request", args=[member.pk])
    return client.post(url, {"to_org_code": code, "reason": reason}, follow=True)


# --- requesting ----------------------------------------------------------------------------------


def test_a_transfer_inside_the_users_scope_completes_at_once(city, member, street_officer):
    response = _request(_staff(street_officer), member, city.community.code)
    member.refresh_from_db()
    transfer = MemberTransfer.objects.get()
    assert member.org == city.community
    assert transfer.status == TransferStatus.COMPLETED
    assert (transfer.from_org, transfer.to_org) == (city.employer.union, city.community)
    assert transfer.decided_by == street_officer
    assert "was transferred to" in response.content.decode()


def test_a_transfer_outside_the_scope_waits_for_the_receiving_union(city, member, street_officer):
    response = _request(_staff(street_officer), member, city.other_community.code)
    member.refresh_from_db()
    transfer = MemberTransfer.objects.get()
    assert transfer.status == TransferStatus.PENDING
    assert member.org == city.employer.union
    assert "completes when that union accepts it" in response.content.decode()


def test_a_second_pending_transfer_is_refused_with_a_message(city, member, street_officer):
    _outward(city, member, street_officer)
    response = _request(_staff(street_officer), member, city.community.code)
    with pytest.raises(ValidationError) as refused:
        transfer_request(
            user=street_officer, member=member, to_org=city.community, reason="再次申请"
        )
    assert refused.value.code == "already_pending"
    assert "already waiting for the receiving union" in response.content.decode()
    assert MemberTransfer.objects.count() == 1


def test_a_transfer_to_a_federation_is_refused(city, member, street_officer):
    with pytest.raises(ValidationError) as refused:
        transfer_request(user=street_officer, member=member, to_org=city.street, reason="调动")
    assert refused.value.code == "not_a_member_org"
    assert not MemberTransfer.objects.exists()


def test_a_transfer_to_the_members_own_union_is_refused(city, member, street_officer):
    with pytest.raises(ValidationError) as refused:
        transfer_request(
            user=street_officer, member=member, to_org=city.employer.union, reason="调动"
        )
    assert refused.value.code == "same_org"


def test_an_inactive_member_cannot_be_transferred(city, member, street_officer):
    member.status = MemberStatus.LAPSED
    member.save()
    with pytest.raises(ValidationError) as refused:
        _outward(city, member, street_officer)
    assert refused.value.code == "member_not_active"


def test_a_transfer_needs_a_reason(city, member, street_officer):
    response = _request(_staff(street_officer), member, city.community.code, reason="")
    assert "Reason" in response.content.decode()
    assert not MemberTransfer.objects.exists()


def test_an_unknown_union_code_gets_a_message(city, member, street_officer):
    response = _request(_staff(street_officer), member, "NO-SUCH-CODE")
    assert "No union with the code NO-SUCH-CODE can take members." in response.content.decode()
    assert not MemberTransfer.objects.exists()


def test_a_member_of_another_district_cannot_be_transferred(city, street_officer):
    foreign = MemberFactory(org=city.other_community)
    response = _request(_staff(street_officer), foreign, city.community.code)
    assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        transfer_request(user=street_officer, member=foreign, to_org=city.community, reason="调动")


def test_a_read_only_user_may_not_request_a_transfer(city, member):
    reader = user_create_or_update(
        username="reader", scope_org=city.street, role=Role.READONLY, password=PASSWORD
    )
    response = _request(_staff(reader), member, city.community.code)
    assert response.status_code == 403


def test_the_target_lookup_shows_only_the_unions_name_and_code(city, street_officer):
    response = _staff(street_officer).get(
        reverse("members:transfer_org"), {"to_org_code": city.other_community.code}
    )
    body = response.content.decode().strip()
    assert body.endswith(f"{city.other_community.name} ({city.other_community.code})</span>")
    assert city.other_district.name not in body
    assert city.other_employer.name not in body


def test_the_target_lookup_does_not_offer_federations(city, street_officer):
    response = _staff(street_officer).get(
        reverse("members:transfer_org"), {"to_org_code": city.other_district.code}
    )
    assert city.other_district.name not in response.content.decode()


# --- the receiving side --------------------------------------------------------------------------


def test_the_receiving_side_sees_the_pending_transfer(
    city, member, street_officer, other_district_officer
):
    transfer = _outward(city, member, street_officer)
    response = _staff(other_district_officer).get(reverse("members:transfers"))
    assert list(response.context["incoming"]) == [transfer]
    assert list(response.context["outgoing"]) == []
    assert member.name in response.content.decode()


def test_the_sending_side_sees_it_as_outgoing(city, member, street_officer):
    transfer = _outward(city, member, street_officer)
    response = _staff(street_officer).get(reverse("members:transfers"))
    assert list(response.context["incoming"]) == []
    assert list(response.context["outgoing"]) == [transfer]


def test_the_receiving_side_accepts_and_the_member_moves(
    city, member, street_officer, other_district_officer
):
    transfer = _outward(city, member, street_officer)
    response = _staff(other_district_officer).post(
        reverse("members:transfer_accept", args=[transfer.pk]), follow=True
    )
    transfer.refresh_from_db()
    member.refresh_from_db()
    assert response.status_code == 200
    assert transfer.status == TransferStatus.COMPLETED
    assert transfer.decided_by == other_district_officer
    assert member.org == city.other_community


def test_after_the_move_both_sides_keep_the_history(
    city, member, street_officer, other_district_officer
):
    transfer = _outward(city, member, street_officer)
    transfer_accept(user=other_district_officer, transfer=transfer)
    for officer in (street_officer, other_district_officer):
        response = _staff(officer).get(reverse("members:transfers"))
        assert list(response.context["page"]) == [transfer]
    # The member itself is now out of the sending side's sight.
    detail = _staff(street_officer).get(reverse("members:detail", args=[member.pk]))
    assert detail.status_code == 404


def test_a_third_district_neither_sees_nor_decides_the_transfer(
    city, member, street_officer, third_district_officer
):
    transfer = _outward(city, member, street_officer)
    client = _staff(third_district_officer)
    listing = client.get(reverse("members:transfers"))
    assert member.name not in listing.content.decode()
    for action in ("transfer_accept", "transfer_reject", "transfer_cancel"):
        response = client.post(reverse(f"members:{action}", args=[transfer.pk]), {"reason": "x"})
        assert response.status_code == 404
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.PENDING


def test_the_sending_side_cannot_accept_its_own_request(city, member, street_officer):
    transfer = _outward(city, member, street_officer)
    response = _staff(street_officer).post(reverse("members:transfer_accept", args=[transfer.pk]))
    assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        transfer_accept(user=street_officer, transfer=transfer)


def test_a_rejection_keeps_the_member_where_it_was(
    city, member, street_officer, other_district_officer
):
    transfer = _outward(city, member, street_officer)
    _staff(other_district_officer).post(
        reverse("members:transfer_reject", args=[transfer.pk]), {"reason": "非本社区职工"}
    )
    transfer.refresh_from_db()
    member.refresh_from_db()
    assert transfer.status == TransferStatus.REJECTED
    assert transfer.decision_note == "非本社区职工"
    assert transfer.decided_by == other_district_officer
    assert member.org == city.employer.union


def test_a_rejection_needs_a_reason(city, member, street_officer, other_district_officer):
    transfer = _outward(city, member, street_officer)
    with pytest.raises(ValidationError):
        transfer_reject(user=other_district_officer, transfer=transfer, reason=" ")
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.PENDING


def test_a_decided_transfer_cannot_be_decided_again(
    city, member, street_officer, other_district_officer
):
    transfer = _outward(city, member, street_officer)
    transfer_reject(user=other_district_officer, transfer=transfer, reason="不接收")
    response = _staff(other_district_officer).post(
        reverse("members:transfer_accept", args=[transfer.pk]), follow=True
    )
    assert "no longer pending" in response.content.decode()
    member.refresh_from_db()
    assert member.org == city.employer.union


# --- cancelling ----------------------------------------------------------------------------------


def test_the_sending_side_cancels_a_pending_transfer(city, member, street_officer):
    transfer = _outward(city, member, street_officer)
    response = _staff(street_officer).post(
        reverse("members:transfer_cancel", args=[transfer.pk]),
        {"panel": "member"},
        headers={"HX-Request": "true"},
    )
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.CANCELLED
    assert transfer.decided_by == street_officer
    assert 'data-testid="transfer-notice"' in response.content.decode()
    assert 'data-testid="transfer-form"' in response.content.decode()  # a new one may follow


def test_the_receiving_side_cannot_cancel(city, member, street_officer, other_district_officer):
    transfer = _outward(city, member, street_officer)
    response = _staff(other_district_officer).post(
        reverse("members:transfer_cancel", args=[transfer.pk])
    )
    assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        transfer_cancel(user=other_district_officer, transfer=transfer)


def test_transfers_are_never_deleted(city, member, street_officer, other_district_officer):
    first = _outward(city, member, street_officer)
    transfer_cancel(user=street_officer, transfer=first)
    second = _outward(city, member, street_officer)
    transfer_reject(user=other_district_officer, transfer=second, reason="不接收")
    third = _outward(city, member, street_officer)
    transfer_accept(user=other_district_officer, transfer=third)
    statuses = list(MemberTransfer.objects.order_by("pk").values_list("status", flat=True))
    assert statuses == ["cancelled", "rejected", "completed"]


# --- the member page -----------------------------------------------------------------------------


def test_the_member_page_offers_the_transfer_form(city, member, street_officer):
    body = _staff(street_officer).get(reverse("members:detail", args=[member.pk])).content.decode()
    assert 'data-testid="transfer-form"' in body


def test_the_member_page_hides_the_form_while_a_transfer_is_pending(city, member, street_officer):
    _outward(city, member, street_officer)
    body = _staff(street_officer).get(reverse("members:detail", args=[member.pk])).content.decode()
    assert 'data-testid="transfer-form"' not in body
    assert city.other_community.name in body


def test_an_htmx_request_gets_the_panel_back(city, member, street_officer):
    response = _staff(street_officer).post(
        reverse("members:transfer_request", args=[member.pk]),
        {"to_org_code": city.other_community.code, "reason": "换工作"},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert "<html" not in body
    assert 'id="member-transfers"' in body
    assert 'data-status="pending"' in body
