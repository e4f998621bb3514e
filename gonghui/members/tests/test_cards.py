import threading

import pytest
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import translation
from hypothesis import assume, given
from hypothesis import strategies as st

from gonghui.accounts.models import Role
from gonghui.accounts.services import user_create_or_update
from gonghui.core.models import Counter
from gonghui.members.models import CardStatus, MemberCard, MemberStatus
from gonghui.members.services import cards
from gonghui.members.services.cards import (
    CARD_COUNTER,
    SEQUENCE_MAX,
    card_bulk_issue,
    card_cancel,
    card_issue,
    card_number_for,
    card_number_valid,
    card_numbers_reserve,
    card_reissue,
    card_report_lost,
    luhn_check_digit,
)
from gonghui.members.tests.factories import MemberFactory
from gonghui.testing import PASSWORD, logged_in

HTMX = {"HTTP_HX_REQUEST": "true"}

numbers = st.builds(
    card_number_for,
    st.integers(min_value=1, max_value=SEQUENCE_MAX),
    prefix=st.from_regex(r"\A[0-9]{4}\Z"),
)


def _messages(exc: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(exc.value.messages)


@pytest.fixture
def member(city):
    return MemberFactory(org=city.community)


@pytest.fixture
def reader(city):
    return user_create_or_update(
        username="reader", scope_org=city.street, role=Role.READONLY, password=PASSWORD
    )


@pytest.fixture
def english():
    with translation.override("en"):
        yield


# --- numbers -------------------------------------------------------------------------------------


def test_luhn_check_digit_of_the_textbook_example():
    assert luhn_check_digit("7992739871") == "3"
    assert luhn_check_digit("411111111111111") == "1"


@pytest.mark.parametrize("body", ["", "12a4", "１２３", "12 3"])
def test_luhn_check_digit_refuses_a_body_that_is_not_ascii_digits(body):
    with pytest.raises(ValueError, match="ASCII digits"):
        luhn_check_digit(body)


@given(numbers)
def test_every_generated_number_validates(number):
    assert len(number) == 16
    assert card_number_valid(number)


@given(numbers, st.integers(min_value=0, max_value=15), st.integers(min_value=1, max_value=9))
def test_every_single_digit_change_is_detected(number, position, delta):
    changed = str((int(number[position]) + delta) % 10)
    assert not card_number_valid(number[:position] + changed + number[position + 1 :])


@given(numbers, st.integers(min_value=0, max_value=14))
def test_every_adjacent_transposition_except_09_is_detected(number, position):
    a, b = number[position], number[position + 1]
    assume(a != b and {a, b} != {"0", "9"})
    assert not card_number_valid(number[:position] + b + a + number[position + 2 :])


def test_luhn_does_not_detect_swapping_09_and_90():
    # What Luhn does not guarantee: the one adjacent transposition it misses.
    number = "8110" + "0" * 9 + "09"
    number += luhn_check_digit(number)
    assert card_number_valid(number)
    assert card_number_valid(number[:13] + "90" + number[15])


@pytest.mark.parametrize(
    "number",
    [
        "",
        "811000000000001",
        "81100000000000017",
        "811000000000001٧",
        "８１１０000000000017",
        None,
        8110,
    ],
)
def test_wrong_length_or_non_digits_is_invalid(number):
    assert not card_number_valid(number)


def test_number_is_prefix_then_11_digit_sequence_then_check_digit(settings):
    settings.CARD_NUMBER_PREFIX = "1234"
    number = card_number_for(42)
    assert number[:15] == "1234" + "00000000042"
    assert number[15] == luhn_check_digit(number[:15])


def test_a_prefix_that_is_not_4_digits_is_a_configuration_error(settings):
    settings.CARD_NUMBER_PREFIX = "81A0"
    with pytest.raises(ImproperlyConfigured, match="CARD_NUMBER_PREFIX"):
        card_number_for(1)


def test_sequential_reservations_never_overlap(db):
    blocks = []
    for count in (1, 5_000, 3, 1):
        with transaction.atomic():
            blocks.append(card_numbers_reserve(count=count))
    issued = [number for block in blocks for number in block]
    assert [len(block) for block in blocks] == [1, 5_000, 3, 1]
    assert len(set(issued)) == len(issued)
    assert all(card_number_valid(n) for n in issued)
    assert Counter.objects.get(name=CARD_COUNTER).value == 5_005


@pytest.mark.django_db(transaction=True)
def test_numbers_are_not_reserved_outside_a_transaction():
    with pytest.raises(RuntimeError, match="inside a transaction"):
        card_numbers_reserve(count=1)


def test_an_exhausted_sequence_is_refused_and_gives_nothing_away(english, member, street_officer):
    Counter.objects.create(name=CARD_COUNTER, value=SEQUENCE_MAX)
    with pytest.raises(ValidationError) as exc:
        card_issue(user=street_officer, member=member)
    assert "exhausted" in _messages(exc)
    assert Counter.objects.get(name=CARD_COUNTER).value == SEQUENCE_MAX
    assert not MemberCard.objects.exists()


# --- issue, lost, reissue, cancel ----------------------------------------------------------------


def test_issue_gives_an_active_card_with_a_valid_number(member, street_officer):
    card = card_issue(user=street_officer, member=member)
    assert card.status == CardStatus.ACTIVE
    assert card.member == member
    assert card_number_valid(card.number)
    assert card.number.startswith("8110")


def test_issued_numbers_are_unique(city, street_officer):
    members = MemberFactory.create_batch(5, org=city.community)
    issued = [card_issue(user=street_officer, member=m).number for m in members]
    assert len(set(issued)) == 5


def test_issuing_twice_is_refused_naming_the_card_in_use(english, member, street_officer):
    first = card_issue(user=street_officer, member=member)
    with pytest.raises(ValidationError) as exc:
        card_issue(user=street_officer, member=member)
    assert f"already has a card in use: {first.number} (Active)" in _messages(exc)
    assert member.cards.count() == 1


def test_issuing_while_the_card_is_lost_is_refused(english, member, street_officer):
    card = card_issue(user=street_officer, member=member)
    card_report_lost(user=street_officer, card=card)
    with pytest.raises(ValidationError) as exc:
        card_issue(user=street_officer, member=member)
    assert "(Reported lost)" in _messages(exc)


def test_a_member_who_is_not_active_gets_no_card(english, member, street_officer):
    member.status = MemberStatus.LAPSED
    member.save()
    with pytest.raises(ValidationError) as exc:
        card_issue(user=street_officer, member=member)
    assert "this member is “Lapsed”" in _messages(exc)


def test_report_lost_marks_the_card_lost(member, street_officer):
    card = card_issue(user=street_officer, member=member)
    card_report_lost(user=street_officer, card=card)
    card.refresh_from_db()
    assert card.status == CardStatus.LOST


def test_reissue_of_a_lost_card_gives_a_new_number_and_replaces_the_old(member, street_officer):
    old = card_issue(user=street_officer, member=member)
    card_report_lost(user=street_officer, card=old)
    new = card_reissue(user=street_officer, card=old)
    old.refresh_from_db()
    assert old.status == CardStatus.REPLACED
    assert new.status == CardStatus.ACTIVE
    assert new.replaces == old
    assert new.number != old.number
    assert card_number_valid(new.number)


def test_reissue_of_an_active_card_replaces_it(member, street_officer):
    old = card_issue(user=street_officer, member=member)
    new = card_reissue(user=street_officer, card=old)
    old.refresh_from_db()
    assert (old.status, new.replaces_id) == (CardStatus.REPLACED, old.pk)


def test_cancel_makes_the_card_cancelled(member, street_officer):
    card = card_issue(user=street_officer, member=member)
    card_cancel(user=street_officer, card=card, reason="会员退会")
    card.refresh_from_db()
    assert card.status == CardStatus.CANCELLED
    assert card.status_note == "会员退会"


def test_cancel_needs_a_reason(english, member, street_officer):
    card = card_issue(user=street_officer, member=member)
    with pytest.raises(ValidationError) as exc:
        card_cancel(user=street_officer, card=card, reason="  ")
    assert "reason" in _messages(exc)
    card.refresh_from_db()
    assert card.status == CardStatus.ACTIVE


def test_after_a_cancellation_a_new_card_can_be_issued(member, street_officer):
    card = card_issue(user=street_officer, member=member)
    card_cancel(user=street_officer, card=card, reason="损坏")
    again = card_issue(user=street_officer, member=member)
    assert again.status == CardStatus.ACTIVE
    assert again.number != card.number


def _replaced(user, member):
    card = card_issue(user=user, member=member)
    card_reissue(user=user, card=card)
    return card


def _cancelled(user, member):
    card = card_issue(user=user, member=member)
    card_cancel(user=user, card=card, reason="损坏")
    return card


def _lost(user, member):
    card = card_issue(user=user, member=member)
    card_report_lost(user=user, card=card)
    return card


@pytest.mark.parametrize(
    ("make", "action", "status"),
    [
        (_cancelled, "reissue", "Cancelled"),
        (_cancelled, "lost", "Cancelled"),
        (_cancelled, "cancel", "Cancelled"),
        (_replaced, "lost", "Replaced"),
        (_replaced, "reissue", "Replaced"),
        (_replaced, "cancel", "Replaced"),
        (_lost, "lost", "Reported lost"),
    ],
)
def test_an_illegal_transition_is_refused_naming_the_current_status(
    english, member, street_officer, make, action, status
):
    card = make(street_officer, member)
    act = {
        "reissue": lambda: card_reissue(user=street_officer, card=card),
        "lost": lambda: card_report_lost(user=street_officer, card=card),
        "cancel": lambda: card_cancel(user=street_officer, card=card, reason="再次注销"),
    }[action]
    before = list(MemberCard.objects.order_by("pk").values_list("status", flat=True))
    with pytest.raises(ValidationError) as exc:
        act()
    assert f"Card {card.number} is “{status}”" in _messages(exc)
    assert list(MemberCard.objects.order_by("pk").values_list("status", flat=True)) == before


def test_a_read_only_user_may_not_issue_or_change_cards(member, street_officer, reader):
    card = card_issue(user=street_officer, member=member)
    for act in (
        lambda: card_issue(user=reader, member=MemberFactory(org=member.org)),
        lambda: card_report_lost(user=reader, card=card),
        lambda: card_reissue(user=reader, card=card),
        lambda: card_cancel(user=reader, card=card, reason="测试"),
        lambda: card_bulk_issue(user=reader, org=member.org),
    ):
        with pytest.raises(PermissionDenied):
            act()
    card.refresh_from_db()
    assert card.status == CardStatus.ACTIVE


def test_services_refuse_a_member_outside_the_users_scope(city, street_officer):
    foreign = MemberFactory(org=city.other_community)
    with pytest.raises(PermissionDenied):
        card_issue(user=street_officer, member=foreign)
    assert not MemberCard.objects.exists()


# --- bulk ----------------------------------------------------------------------------------------


def test_bulk_issue_covers_exactly_the_active_members_without_a_card(city, street_officer):
    without = MemberFactory.create_batch(3, org=city.community)
    with_card = MemberFactory(org=city.community)
    lost = MemberFactory(org=city.community)
    cancelled = MemberFactory(org=city.community)
    lapsed = MemberFactory(org=city.community)
    outside = MemberFactory(org=city.sibling_street)
    kept = card_issue(user=street_officer, member=with_card)
    card_report_lost(user=street_officer, card=card_issue(user=street_officer, member=lost))
    _cancelled(street_officer, cancelled)
    lapsed.status = MemberStatus.LAPSED
    lapsed.save()

    assert card_bulk_issue(user=street_officer, org=city.street) == 4

    got = set(MemberCard.objects.filter(status=CardStatus.ACTIVE).values_list("member", flat=True))
    assert got == {m.pk for m in [*without, cancelled, with_card]}
    assert with_card.cards.get() == kept
    assert not lapsed.cards.exists()
    assert not outside.cards.exists()
    numbers = list(MemberCard.objects.values_list("number", flat=True))
    assert len(set(numbers)) == len(numbers)
    assert all(card_number_valid(n) for n in numbers)


def test_bulk_issue_run_again_issues_nothing(city, street_officer):
    MemberFactory.create_batch(3, org=city.community)
    assert card_bulk_issue(user=street_officer, org=city.community) == 3
    assert card_bulk_issue(user=street_officer, org=city.community) == 0
    assert MemberCard.objects.count() == 3


def test_bulk_issue_in_batches_gives_consecutive_unique_numbers(city, street_officer, monkeypatch):
    monkeypatch.setattr(cards, "BULK_BATCH", 2)
    members = MemberFactory.create_batch(5, org=city.community)
    assert card_bulk_issue(user=street_officer, org=city.community) == 5
    by_member = dict(MemberCard.objects.values_list("member", "number"))
    assert [by_member[m.pk] for m in members] == [card_number_for(n) for n in range(1, 6)]


def test_bulk_issue_refuses_a_union_outside_the_users_scope(city, street_officer):
    MemberFactory(org=city.other_community)
    with pytest.raises(PermissionDenied):
        card_bulk_issue(user=street_officer, org=city.other_community)
    assert not MemberCard.objects.exists()


# --- concurrency ---------------------------------------------------------------------------------


def _in_threads(jobs):
    """Run each job in its own thread (own connection), all released at once."""
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def run(job):
        try:
            barrier.wait()
            job()
        except BaseException as exc:  # reported by the test thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []


@pytest.mark.django_db(transaction=True)
def test_concurrent_issuing_never_hands_out_a_number_twice(city, district_officer):
    singles = MemberFactory.create_batch(8, org=city.sibling_street)
    MemberFactory.create_batch(20, org=city.community)

    def issue(chunk):
        return lambda: [card_issue(user=district_officer, member=m) for m in chunk]

    reserved: list[str] = []

    def reserve():
        for _ in range(5):
            with transaction.atomic():
                reserved.extend(card_numbers_reserve(count=7))

    _in_threads(
        [
            issue(singles[:4]),
            issue(singles[4:]),
            lambda: card_bulk_issue(user=district_officer, org=city.street),
            reserve,
        ]
    )
    issued = list(MemberCard.objects.values_list("member", "number"))
    handed_out = [number for _member, number in issued] + reserved
    assert len(issued) == 28
    assert len({member for member, _number in issued}) == 28
    assert len(set(handed_out)) == len(handed_out) == 28 + 35
    assert Counter.objects.get(name=CARD_COUNTER).value == 28 + 35


@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_to_one_member_give_one_card(city, street_officer):
    member = MemberFactory(org=city.community)
    refused: list[ValidationError] = []

    def issue():
        try:
            card_issue(user=street_officer, member=member)
        except ValidationError as exc:
            refused.append(exc)

    _in_threads([issue, issue, issue])
    assert member.cards.count() == 1
    assert len(refused) == 2


# --- views ---------------------------------------------------------------------------------------


def test_htmx_issue_answers_with_the_cards_panel(member, street_officer):
    response = logged_in(street_officer).post(
        reverse("members:card_issue", kwargs={"pk": member.pk}), **HTMX
    )
    card = member.cards.get()
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="member-cards"' in body
    assert card.number in body
    assert reverse("members:card_lost", kwargs={"pk": card.pk}) in body
    assert "<html" not in body


def test_plain_post_redirects_to_the_member_page_with_a_message(english, member, street_officer):
    client = logged_in(street_officer)
    response = client.post(reverse("members:card_issue", kwargs={"pk": member.pk}), follow=True)
    assert response.redirect_chain[-1][0] == reverse("members:detail", kwargs={"pk": member.pk})
    assert "The card was issued." in response.content.decode()
    assert member.cards.get().status == CardStatus.ACTIVE


def test_a_refused_action_shows_its_reason_in_the_panel(english, member, street_officer):
    card = card_issue(user=street_officer, member=member)
    card_cancel(user=street_officer, card=card, reason="损坏")
    response = logged_in(street_officer).post(
        reverse("members:card_reissue", kwargs={"pk": card.pk}), **HTMX
    )
    assert response.status_code == 200
    assert "only an active or lost card can be reissued" in response.content.decode()


def test_lost_reissue_and_cancel_through_the_views(member, street_officer):
    client = logged_in(street_officer)
    card = card_issue(user=street_officer, member=member)
    client.post(reverse("members:card_lost", kwargs={"pk": card.pk}), **HTMX)
    client.post(reverse("members:card_reissue", kwargs={"pk": card.pk}), **HTMX)
    new = member.cards.get(status=CardStatus.ACTIVE)
    client.post(
        reverse("members:card_cancel", kwargs={"pk": new.pk}), {"reason": "会员退会"}, **HTMX
    )
    statuses = dict(member.cards.values_list("pk", "status"))
    assert statuses == {card.pk: CardStatus.REPLACED, new.pk: CardStatus.CANCELLED}


def test_a_read_only_user_gets_403_from_the_actions(member, street_officer, reader):
    card = card_issue(user=street_officer, member=member)
    client = logged_in(reader)
    urls = [
        reverse("members:card_issue", kwargs={"pk": MemberFactory(org=member.org).pk}),
        reverse("members:card_lost", kwargs={"pk": card.pk}),
        reverse("members:card_reissue", kwargs={"pk": card.pk}),
        reverse("members:card_cancel", kwargs={"pk": card.pk}),
    ]
    assert [client.post(url, {"reason": "测试"}).status_code for url in urls] == [403] * 4
    response = client.post(reverse("members:cards_bulk"), {"org": member.org.code})
    assert response.status_code == 403


def test_the_member_page_shows_card_buttons_only_to_managers(member, street_officer, reader):
    card_issue(user=street_officer, member=member)
    url = reverse("members:detail", kwargs={"pk": member.pk})
    lost = reverse("members:card_lost", kwargs={"pk": member.cards.get().pk})
    assert lost in logged_in(street_officer).get(url).content.decode()
    assert lost not in logged_in(reader).get(url).content.decode()


def test_actions_answer_get_with_405(member, street_officer):
    response = logged_in(street_officer).get(
        reverse("members:card_issue", kwargs={"pk": member.pk})
    )
    assert response.status_code == 405


def test_bulk_page_prefills_the_users_union(city, street_officer):
    response = logged_in(street_officer).get(reverse("members:cards_bulk"))
    assert response.status_code == 200
    assert f'value="{city.street.code}"' in response.content.decode()


def test_bulk_post_issues_and_reports_the_count(english, city, street_officer):
    MemberFactory.create_batch(2, org=city.community)
    response = logged_in(street_officer).post(
        reverse("members:cards_bulk"), {"org": city.community.code}, follow=True
    )
    assert "2 cards were issued" in response.content.decode()
    assert MemberCard.objects.count() == 2


def test_bulk_post_for_a_union_outside_the_scope_answers_404(city, street_officer):
    MemberFactory(org=city.other_community)
    response = logged_in(street_officer).post(
        reverse("members:cards_bulk"), {"org": city.other_community.code}
    )
    assert response.status_code == 404
    assert not MemberCard.objects.exists()
