"""SMS broadcasts: one message per phone of the subtree's active members, sent once."""

import json
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gonghui.accounts.models import Role
from gonghui.accounts.services import user_create_or_update
from gonghui.core.models import AuditAction, AuditEntry
from gonghui.members.models import MemberStatus
from gonghui.members.tests.factories import MemberFactory, make_phone
from gonghui.notify.backends import FileBackend
from gonghui.notify.broadcast_services import (
    broadcast_audience_count,
    broadcast_create,
    broadcast_fan_out,
    broadcast_queue,
)
from gonghui.notify.models import Broadcast, BroadcastStatus, MessageStatus, OutboxMessage
from gonghui.notify.services import opt_out_add, outbox_dispatch
from gonghui.testing import PASSWORD, logged_in, run_gonghui

pytestmark = pytest.mark.django_db
FULL_PHONE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")


@pytest.fixture
def audience(city):
    """Members of `city.community` (5 reachable phones) and of another district."""
    members = [MemberFactory(org=city.community, phone=make_phone(500 + n)) for n in range(4)]
    MemberFactory(org=city.community, phone=make_phone(500))  # a second record, same phone
    MemberFactory(org=city.community, phone="")  # no phone
    lapsed = MemberFactory(org=city.community, phone=make_phone(520))
    lapsed.status = MemberStatus.LAPSED
    lapsed.save(update_fields=["status"])
    MemberFactory(org=city.other_community, phone=make_phone(530))
    MemberFactory(org=city.street, phone=make_phone(540))  # above the community: not reached
    return members


def _draft(user, org, text="本周六上午在职工之家举办劳动法讲座，欢迎参加。"):
    return broadcast_create(user=user, org=org, title="劳动法讲座", text=text)


def _sent(user, org, **kwargs):
    broadcast = _draft(user, org, **kwargs)
    broadcast_queue(user=user, pk=broadcast.pk)
    broadcast_fan_out(pk=broadcast.pk)
    broadcast.refresh_from_db()
    return broadcast


def test_one_message_goes_to_each_phone_of_the_subtrees_active_members(
    city, audience, street_officer
):
    broadcast = _sent(street_officer, city.community)

    rows = OutboxMessage.objects.filter(reference=broadcast.reference)
    assert broadcast.status == BroadcastStatus.SENT
    assert broadcast.recipients == rows.count() == 4
    assert set(rows.values_list("phone_masked", flat=True)) == {
        f"{make_phone(500 + n)[:3]}****{make_phone(500 + n)[-4:]}" for n in range(4)
    }


def test_the_message_is_signed_and_says_how_to_unsubscribe(city, audience, street_officer):
    broadcast = _sent(street_officer, city.community)
    body = OutboxMessage.objects.filter(reference=broadcast.reference).first().body
    assert body.startswith(f"【{city.street.name}】本周六上午")
    assert body.endswith("回T退订")


def test_opted_out_phones_are_left_out(city, audience, street_officer):
    opt_out_add(phone=make_phone(501))
    broadcast = _sent(street_officer, city.community)
    assert broadcast.recipients == 3


def test_the_count_shown_before_sending_is_what_gets_queued(city, audience, street_officer):
    expected = broadcast_audience_count(org=city.community)
    assert _sent(street_officer, city.community).recipients == expected == 4


def test_running_the_fan_out_again_queues_nothing_more(city, audience, street_officer):
    broadcast = _sent(street_officer, city.community)
    assert broadcast_fan_out(pk=broadcast.pk) == 0
    assert OutboxMessage.objects.filter(reference=broadcast.reference).count() == 4


def test_a_draft_queues_nothing(city, audience, street_officer):
    broadcast = _draft(street_officer, city.community)
    assert broadcast_fan_out(pk=broadcast.pk) == 0
    assert not OutboxMessage.objects.exists()


def test_the_dispatcher_sends_them_and_suppresses_a_phone_opted_out_since(
    city, audience, street_officer, tmp_path
):
    broadcast = _sent(street_officer, city.community)
    opt_out_add(phone=make_phone(502))

    result = outbox_dispatch(backend=FileBackend(tmp_path / "sms.jsonl"))

    sent = [json.loads(line) for line in (tmp_path / "sms.jsonl").read_text().splitlines()]
    assert (result.sent, result.suppressed) == (3, 1)
    assert sorted(m["to"] for m in sent) == sorted(make_phone(500 + n) for n in (0, 1, 3))
    assert broadcast.reference in {m.reference for m in OutboxMessage.objects.all()}


def test_sending_is_audited(city, audience, street_officer):
    broadcast = _sent(street_officer, city.community)
    entry = AuditEntry.objects.get(action=AuditAction.BROADCAST)
    assert (entry.actor, entry.target_id) == (street_officer, str(broadcast.pk))


def test_an_appeal_handler_may_not_send_broadcasts(city):
    handler = user_create_or_update(
        username="handler", scope_org=city.street, role=Role.APPEAL_HANDLER, password=PASSWORD
    )
    with pytest.raises(PermissionDenied):
        _draft(handler, city.community)


def test_the_audience_must_lie_in_the_senders_scope(city, street_officer):
    with pytest.raises(PermissionDenied):
        _draft(street_officer, city.other_community)


def test_a_text_too_long_for_a_message_is_refused_with_its_length(city, street_officer):
    with pytest.raises(ValidationError, match="301"):
        _draft(street_officer, city.community, text="字" * 301)


def test_a_sent_broadcast_cannot_be_sent_again(city, audience, street_officer):
    broadcast = _sent(street_officer, city.community)
    with pytest.raises(ValidationError):
        broadcast_queue(user=street_officer, pk=broadcast.pk)


# --- pages --------------------------------------------------------------------------------------


def test_an_officer_writes_checks_and_sends_a_broadcast_in_the_pages(
    city, audience, street_officer
):
    client = logged_in(street_officer)
    created = client.post(
        "/broadcasts/new/",
        {"org": city.community.code, "title": "讲座通知", "text": "周六劳动法讲座。"},
    )
    broadcast = Broadcast.objects.get(title="讲座通知")
    detail = client.get(f"/broadcasts/{broadcast.pk}/").content.decode()
    sent = client.post(f"/broadcasts/{broadcast.pk}/send/")

    broadcast.refresh_from_db()
    assert created.status_code == 302
    assert "4" in re.search(r'data-testid="audience">([^<]*)<', detail).group(1)
    assert sent.status_code == 302
    assert broadcast.status in (BroadcastStatus.QUEUED, BroadcastStatus.SENT)


def test_the_audience_count_answers_while_typing_the_code(city, audience, street_officer):
    response = logged_in(street_officer).get("/broadcasts/audience/", {"org": city.community.code})
    assert "4" in response.content.decode()


def test_the_audience_count_of_another_districts_union_shows_nothing(
    city, audience, street_officer
):
    response = logged_in(street_officer).get(
        "/broadcasts/audience/", {"org": city.other_community.code}
    )
    assert city.other_community.name not in response.content.decode()
    assert 'data-testid="audience"' not in response.content.decode()


def test_an_audience_outside_the_scope_is_refused_on_the_form(city, street_officer):
    response = logged_in(street_officer).post(
        "/broadcasts/new/",
        {"org": city.other_community.code, "title": "越权", "text": "测试"},
    )
    assert response.status_code == 200
    assert not Broadcast.objects.exists()


def test_another_districts_broadcast_answers_404(city, street_officer, other_district_officer):
    theirs = _draft(other_district_officer, city.other_community)
    client = logged_in(street_officer)
    assert client.get(f"/broadcasts/{theirs.pk}/").status_code == 404
    assert client.post(f"/broadcasts/{theirs.pk}/send/").status_code == 404
    assert client.post(f"/broadcasts/{theirs.pk}/cancel/").status_code == 404
    assert "劳动法讲座" not in client.get("/broadcasts/").content.decode()


def test_no_page_shows_a_full_phone(city, audience, street_officer):
    broadcast = _sent(street_officer, city.community)
    client = logged_in(street_officer)
    for url in ("/broadcasts/", f"/broadcasts/{broadcast.pk}/"):
        assert FULL_PHONE.findall(client.get(url).content.decode()) == []


@pytest.mark.django_db(transaction=True)
def test_the_background_worker_fans_out_and_delivers(city, audience, street_officer, tmp_path):
    client = logged_in(street_officer)
    created = client.post(
        "/broadcasts/new/",
        {"org": city.community.code, "title": "后台发送", "text": "后台任务测试。"},
    )
    broadcast = Broadcast.objects.get(title="后台发送")
    client.post(f"/broadcasts/{broadcast.pk}/send/")
    sms = tmp_path / "sms.jsonl"

    worker = run_gonghui(
        "db_worker", "--batch", "--no-startup-delay", "--no-reload",
        GONGHUI_SMS_BACKEND="file", GONGHUI_SMS_FILE=str(sms),
    )  # fmt: skip

    broadcast.refresh_from_db()
    assert created.status_code == 302
    assert worker.returncode == 0, worker.stderr
    assert (broadcast.status, broadcast.recipients) == (BroadcastStatus.SENT, 4)
    assert len(sms.read_text().splitlines()) == 4
    statuses = set(
        OutboxMessage.objects.filter(reference=broadcast.reference).values_list("status", flat=True)
    )
    assert statuses == {MessageStatus.SENT}


def test_a_segment_narrows_the_audience(city, audience, street_officer):
    from gonghui.benefits.models import Segment

    women = Segment.objects.create(org=city.street, name="女职工", rules={"gender": "female"})
    expected = {m.phone_index for m in audience if m.gender == "female" and m.phone_index}

    broadcast = broadcast_create(
        user=street_officer, org=city.community, title="三八节", text="节日问候。", segment=women
    )
    broadcast_queue(user=street_officer, pk=broadcast.pk)
    queued = broadcast_fan_out(pk=broadcast.pk)

    assert 0 < len(expected) < 4  # the audience holds both genders
    assert queued == len(expected) == broadcast_audience_count(org=city.community, segment=women)
    assert (
        set(
            OutboxMessage.objects.filter(reference=broadcast.reference).values_list(
                "phone_index", flat=True
            )
        )
        == expected
    )


def test_another_districts_segment_cannot_be_used(city, street_officer):
    from gonghui.benefits.models import Segment

    theirs = Segment.objects.create(org=city.other_district, name="西城", rules={})
    with pytest.raises(PermissionDenied):
        broadcast_create(
            user=street_officer, org=city.community, title="越权", text="测试", segment=theirs
        )
