"""POST /api/v1/sms/inbound: a member's reply T (退订, TD, …) stops notices to the phone."""

import json

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from gonghui.appeals.services.intake import channel_client_create
from gonghui.notify.models import OptOut
from gonghui.notify.services import OPT_OUT_WORDS, is_opt_out_reply
from gonghui.testing import api_client

pytestmark = pytest.mark.django_db
PHONE = "13912345678"


def gateway(org, channel="sms"):
    _client, token = channel_client_create(channel=channel, name="短信网关", org=org)
    return Client(headers={"Authorization": f"Bearer {token}"})


def reply(client, text, phone=PHONE):
    return client.post(
        "/api/v1/sms/inbound",
        data=json.dumps({"phone": phone, "text": text}),
        content_type="application/json",
    )


@pytest.mark.parametrize("text", ["T", "t", " TD ", "退订", "Ｔ", "取消"])
def test_an_opt_out_word_opts_the_phone_out(city, text):
    response = reply(gateway(city.city), text)
    assert response.json() == {"opted_out": True}
    assert OptOut.objects.count() == 1


def test_any_other_reply_opts_nothing_out(city):
    response = reply(gateway(city.city), "请问讲座几点开始？")
    assert response.json() == {"opted_out": False}
    assert not OptOut.objects.exists()


def test_a_repeated_opt_out_keeps_one_record(city):
    client = gateway(city.city)
    reply(client, "T")
    reply(client, "退订")
    assert OptOut.objects.count() == 1


def test_the_stored_opt_out_holds_no_full_phone(city):
    reply(gateway(city.city), "T")
    opt_out = OptOut.objects.get()
    assert PHONE not in f"{opt_out.phone_index} {opt_out.phone_masked}"


def test_a_bad_phone_is_named(city):
    response = reply(gateway(city.city), "T", phone="12345")
    assert response.status_code == 422
    assert "phone" in response.json()["detail"]


def test_only_the_sms_gateways_client_may_forward_replies(city):
    assert reply(gateway(city.city, channel="weibo"), "T").status_code == 403
    assert not OptOut.objects.exists()


def test_a_staff_token_is_refused(city, street_officer):
    response = api_client(street_officer).post(
        "/api/v1/sms/inbound",
        data=json.dumps({"phone": PHONE, "text": "T"}),
        content_type="application/json",
    )
    assert response.status_code == 401


@given(
    word=st.sampled_from(sorted(OPT_OUT_WORDS)),
    case=st.lists(st.booleans(), min_size=11, max_size=11),
    padding=st.tuples(st.sampled_from(["", " ", "  ", "\u3000"]), st.sampled_from(["", " "])),
)
def test_an_opt_out_word_counts_in_any_case_and_padding(word, case, padding):
    cased = "".join(c.lower() if low else c for c, low in zip(word, case, strict=False))
    assert is_opt_out_reply(f"{padding[0]}{cased}{padding[1]}")


@given(st.text(min_size=12).filter(lambda t: len("".join(t.split())) > 11))
def test_a_longer_reply_is_never_an_opt_out(text):
    assert not is_opt_out_reply(text)
