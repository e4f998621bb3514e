"""A dispatcher killed mid-batch and restarted sends every message exactly once (file backend)."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from gonghui.notify.models import MessageStatus, OutboxMessage
from gonghui.notify.services import message_enqueue
from gonghui.testing import database_url, run_gonghui

pytestmark = pytest.mark.django_db(transaction=True)

MESSAGES = 1500


def _ids(path):
    ids = []
    if not path.exists():
        return ids
    for line in path.read_text().splitlines():
        try:
            ids.append(json.loads(line)["id"])
        except ValueError:
            continue  # a line the kill cut short
    return ids


def test_killing_the_dispatcher_and_restarting_it_sends_each_message_once(tmp_path):
    from django.db import transaction

    with transaction.atomic():
        for n in range(MESSAGES):
            message_enqueue(
                template="appeal_received",
                phone=f"139{n:08d}",
                variables={"code": f"12351202600{n:04d}", "deadline": "2026-03-09"},
            )
    path = tmp_path / "sms.jsonl"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "GONGHUI_SMS_BACKEND": "file",
        "GONGHUI_SMS_FILE": str(path),
        "GONGHUI_SMS_BATCH": "50",
    }
    dispatcher = subprocess.Popen(
        [sys.executable, "-m", "gonghui.manage", "notify_dispatch"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    # Kill in the middle of a batch of 50: some of its messages sent, the rest still claimed.
    while (
        len(_ids(path)) < 200 or len(_ids(path)) % 50 in (0, 49)
    ) and time.monotonic() < deadline:
        if dispatcher.poll() is not None:
            pytest.fail(f"the dispatcher ended early: {dispatcher.stderr.read().decode()}")
        time.sleep(0.01)
    dispatcher.send_signal(signal.SIGKILL)
    dispatcher.wait()
    assert len(_ids(path)) < MESSAGES, "the dispatcher finished before it was killed"
    assert OutboxMessage.objects.filter(status=MessageStatus.SENT).count() < MESSAGES

    # Restarted after the lease of the dead dispatcher's claims ran out (0 s here).
    result = run_gonghui(
        "notify_dispatch",
        GONGHUI_SMS_BACKEND="file",
        GONGHUI_SMS_FILE=str(path),
        GONGHUI_SMS_LEASE_SECONDS="0",
    )
    assert result.returncode == 0, result.stderr

    ids = _ids(path)
    expected = {str(m) for m in OutboxMessage.objects.values_list("message_id", flat=True)}
    assert len(ids) == len(set(ids)) == MESSAGES
    assert set(ids) == expected
    assert OutboxMessage.objects.filter(status=MessageStatus.SENT).count() == MESSAGES
