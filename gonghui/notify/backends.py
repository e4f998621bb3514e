"""SMS gateways. Each `send` either delivers the message or raises `DeliveryError`.

Every backend receives the outbox `message_id`; a gateway that remembers it delivers a message
at most once even when the dispatcher dies between sending and recording the result and the
message is offered again. The file backend does so itself.
"""

import fcntl
import json
import logging
import os
import string
import urllib.error
import urllib.request
from abc import ABC, abstractmethod
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)


class DeliveryError(Exception):
    """The gateway refused or could not be reached; the message is retried later."""


class SmsBackend(ABC):
    @abstractmethod
    def send(self, *, message_id: str, phone: str, text: str) -> str:
        """Deliver the text; return the gateway's reference (may be empty)."""


class ConsoleBackend(SmsBackend):
    """Development: log the message (phone masked) instead of sending it."""

    def send(self, *, message_id: str, phone: str, text: str) -> str:
        from gonghui.core.pii import mask_phone

        logger.info("SMS %s to %s: %s", message_id, mask_phone(phone), text)
        return ""


class FileBackend(SmsBackend):
    """Appends one JSON line per message to a file, once per message id, across processes.

    The ids already written are read under an exclusive lock before each append, so two
    dispatchers (or one restarted after a kill) never write a message twice.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._seen: set[str] = set()
        self._offset = 0

    def _catch_up(self, handle: BinaryIO) -> None:
        handle.seek(self._offset)
        chunk = handle.read()
        complete, _sep, _partial = chunk.rpartition(b"\n")
        for line in complete.split(b"\n"):
            try:
                self._seen.add(json.loads(line)["id"])
            except (ValueError, KeyError, TypeError):
                continue  # a line cut short by a killed writer carries no delivery
        if complete:
            self._offset += len(complete) + 1

    def send(self, *, message_id: str, phone: str, text: str) -> str:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                self._catch_up(handle)
                if message_id in self._seen:
                    return message_id
                handle.seek(0, os.SEEK_END)
                size = handle.tell()
                prefix = b""
                if size:
                    handle.seek(size - 1)
                    if handle.read(1) != b"\n":
                        prefix = b"\n"  # finish a line a killed writer left open
                line = json.dumps({"id": message_id, "to": phone, "text": text}, ensure_ascii=False)
                handle.write(prefix + line.encode() + b"\n")
                handle.flush()
                os.fsync(handle.fileno())
                self._seen.add(message_id)
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
        return message_id


class HttpBackend(SmsBackend):
    """POSTs a JSON payload built from a template to the operator's gateway."""

    def __init__(self, *, url: str, template: str, authorization: str, timeout: int) -> None:
        if not url:
            raise ImproperlyConfigured("GONGHUI_SMS_BACKEND=http needs GONGHUI_SMS_HTTP_URL")
        self.url = url
        self.template = string.Template(template)
        self.authorization = authorization
        self.timeout = timeout

    def payload(self, *, message_id: str, phone: str, text: str) -> bytes:
        def quoted(value: str) -> str:
            return json.dumps(value, ensure_ascii=False)[1:-1]

        body = self.template.substitute(
            phone=quoted(phone), text=quoted(text), message_id=quoted(message_id)
        )
        json.loads(body)  # a template that does not give JSON is a configuration error
        return body.encode()

    def send(self, *, message_id: str, phone: str, text: str) -> str:
        headers = {"Content-Type": "application/json", "Idempotency-Key": message_id}
        if self.authorization:
            headers["Authorization"] = self.authorization
        request = urllib.request.Request(
            self.url,
            data=self.payload(message_id=message_id, phone=phone, text=text),
            headers=headers,
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                answer: str = response.read(2000).decode(errors="replace")
        except urllib.error.HTTPError as exc:
            raise DeliveryError(f"gateway answered {exc.code}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise DeliveryError(f"gateway unreachable: {exc}") from None
        return answer[:100]


def get_backend() -> SmsBackend:
    kind = settings.NOTIFY_SMS_BACKEND
    if kind == "file":
        return FileBackend(Path(settings.NOTIFY_FILE_PATH))
    if kind == "http":
        return HttpBackend(
            url=settings.NOTIFY_HTTP_URL,
            template=settings.NOTIFY_HTTP_TEMPLATE,
            authorization=settings.NOTIFY_HTTP_AUTHORIZATION,
            timeout=settings.NOTIFY_HTTP_TIMEOUT,
        )
    return ConsoleBackend()
