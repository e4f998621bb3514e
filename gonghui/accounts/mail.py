"""Mails to staff, rendered now (in the language of the request) and sent after the commit."""

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string


def mail_after_commit(*, to: str, template: str, context: dict[str, Any]) -> None:
    """Send `<template>_subject.txt` / `<template>.txt` to `to` once the transaction commits."""
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    body = render_to_string(f"{template}.txt", context)
    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to], fail_silently=False)
    )
