"""The outbox: queued with the business change, sent after commit, retried, at most once."""

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.db import transaction
from django.utils import timezone

from gonghui.notify.backends import FileBackend, HttpBackend
from gonghui.notify.messages import render
from gonghui.notify.models import MessageStatus, OutboxMessage
from gonghui.notify.services import message_enqueue, opt_out_add, outbox_dispatch

pytestmark = pytest.mark.django_db

VARS = {"code": "123512026000001", "deadline": "2026-03-09"}


def queue(phone="13800138000", template="appeal_received", **variables):
    return message_enqueue(template=template, phone=phone, variables=variables or VARS)


class FlakyBackend(FileBackend):
    def __init__(self, path, failures):
        super().__init__(path)
        self.failures = failures

    def send(self, *, message_id, phone, text):
        from gonghui.notify.backends import DeliveryError

        if self.failures:
            self.failures -= 1
            raise DeliveryError("gateway busy")
        return super().send(message_id=message_id, phone=phone, text=text)


def lines(path):
    return [json.loads(line) for line in path.read_text().splitlines() if line]


def test_a_queued_message_is_sent_once_by_the_dispatcher(tmp_path):
    message = queue()
    backend = FileBackend(tmp_path / "sms.jsonl")
    assert outbox_dispatch(backend=backend).sent == 1
    assert outbox_dispatch(backend=backend).sent == 0
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.sent_at is not None
    assert [line["id"] for line in lines(tmp_path / "sms.jsonl")] == [str(message.message_id)]


def _queue_then_fail():
    with transaction.atomic():
        queue()
        raise RuntimeError("the business change fails")


def test_a_rolled_back_transaction_sends_nothing(tmp_path, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError):
        _queue_then_fail()
    assert callbacks == []
    assert not OutboxMessage.objects.exists()
    assert outbox_dispatch(backend=FileBackend(tmp_path / "sms.jsonl")).sent == 0


def test_the_dispatcher_job_is_queued_only_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        queue()
    assert len(callbacks) == 1


def test_a_failed_attempt_is_retried_after_a_growing_backoff(tmp_path, settings):
    settings.NOTIFY_RETRY_SECONDS = 60
    message = queue()
    backend = FlakyBackend(tmp_path / "sms.jsonl", failures=2)
    outbox_dispatch(backend=backend)
    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED
    assert message.last_error == "gateway busy"
    first_wait = message.next_attempt_at - timezone.now()
    assert timedelta(seconds=50) < first_wait <= timedelta(seconds=60)
    OutboxMessage.objects.update(next_attempt_at=timezone.now())
    outbox_dispatch(backend=backend)
    message.refresh_from_db()
    assert message.next_attempt_at - timezone.now() > timedelta(seconds=100)  # doubled
    OutboxMessage.objects.update(next_attempt_at=timezone.now())
    outbox_dispatch(backend=backend)
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.attempts == 3


def test_a_message_fails_for_good_after_the_last_attempt(tmp_path, settings):
    settings.NOTIFY_MAX_ATTEMPTS = 2
    settings.NOTIFY_RETRY_SECONDS = 0
    message = queue()
    outbox_dispatch(backend=FlakyBackend(tmp_path / "sms.jsonl", failures=5))
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert message.attempts == 2


def test_an_opted_out_phone_gets_transactional_messages_but_no_survey(tmp_path):
    opt_out_add(phone="13800138000")
    receipt = queue()
    survey = queue(template="appeal_survey", code="123512026000001")
    outbox_dispatch(backend=FileBackend(tmp_path / "sms.jsonl"))
    receipt.refresh_from_db()
    survey.refresh_from_db()
    assert receipt.status == MessageStatus.SENT
    assert survey.status == MessageStatus.SUPPRESSED
    assert len(lines(tmp_path / "sms.jsonl")) == 1


def test_templates_render_in_english_and_chinese():
    english = render("appeal_received", language="en", variables=VARS)
    assert english.startswith("[12351] Your appeal was received. Tracking code 123512026000001")
    chinese = render("appeal_received", language="zh-hans", variables=VARS)
    assert "123512026000001" in chinese
    assert "2026-03-09" in chinese


def test_a_missing_variable_is_an_error():
    from gonghui.notify.messages import TemplateError

    with pytest.raises(TemplateError):
        render("appeal_received", language="en", variables={"code": "x"})


def test_the_phone_is_stored_encrypted():
    queue(phone="13800138000")
    row = OutboxMessage.objects.values("phone", "phone_masked").get()
    assert "13800138000" not in row["phone"]
    assert row["phone_masked"] == "138****8000"


def test_the_file_backend_writes_a_message_id_once_across_instances(tmp_path):
    path = tmp_path / "sms.jsonl"
    FileBackend(path).send(message_id="m1", phone="13800138000", text="a")
    FileBackend(path).send(message_id="m1", phone="13800138000", text="a")
    FileBackend(path).send(message_id="m2", phone="13800138000", text="b")
    assert [line["id"] for line in lines(path)] == ["m1", "m2"]


def test_the_file_backend_finishes_a_line_a_killed_writer_cut_short(tmp_path):
    path = tmp_path / "sms.jsonl"
    path.write_text('{"id": "m1", "to": "1", "text": "a"}\n{"id": "m2", "to')
    FileBackend(path).send(message_id="m2", phone="13800138000", text="b")
    raw = path.read_text().splitlines()
    assert raw[1] == '{"id": "m2", "to'  # left as it was, not a delivery
    assert [json.loads(line)["id"] for line in (raw[0], raw[2])] == ["m1", "m2"]


def test_the_http_backend_posts_the_template_to_the_gateway():
    received = []

    class Gateway(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers["Content-Length"])
            received.append((dict(self.headers), json.loads(self.rfile.read(length))))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"OK-1")

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        backend = HttpBackend(
            url=f"http://127.0.0.1:{server.server_port}/send",
            template='{"mobile": "$phone", "content": "$text", "ref": "$message_id"}',
            authorization="Token s3cret",
            timeout=5,
        )
        reference = backend.send(message_id="m-9", phone="13800138000", text='说"你好"\n')
    finally:
        server.shutdown()
    headers, payload = received[0]
    assert payload == {"mobile": "13800138000", "content": '说"你好"\n', "ref": "m-9"}
    assert headers["Authorization"] == "Token s3cret"
    assert headers["Idempotency-Key"] == "m-9"
    assert reference == "OK-1"


def test_an_unreachable_gateway_is_a_delivery_error():
    from gonghui.notify.backends import DeliveryError

    backend = HttpBackend(url="http://127.0.0.1:9/", template='{"t": "$text"}', authorization="",
                          timeout=2)  # fmt: skip
    with pytest.raises(DeliveryError):
        backend.send(message_id="m", phone="13800138000", text="x")
