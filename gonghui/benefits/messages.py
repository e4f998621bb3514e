"""The SMS templates of events and subsidies, added to notify's template table at start-up."""

from django.utils.translation import gettext_noop

from gonghui.notify.messages import TEMPLATES, MessageTemplate

BENEFIT_TEMPLATES = (
    MessageTemplate(
        "event_signed_up",
        gettext_noop(
            "[Union] You are signed up for “{event}” on {date}. Check in with the code shown "
            "at the venue."
        ),
        transactional=True,
    ),
    MessageTemplate(
        "event_waitlisted",
        gettext_noop(
            "[Union] “{event}” on {date} is full; you are number {position} on the waiting list."
        ),
        transactional=True,
    ),
    MessageTemplate(
        "event_promoted",
        gettext_noop("[Union] A place became free: you are now signed up for “{event}” on {date}."),
        transactional=True,
    ),
    MessageTemplate(
        "event_cancelled",
        gettext_noop("[Union] “{event}” on {date} is cancelled. We are sorry."),
        transactional=True,
    ),
    MessageTemplate(
        "subsidy_decided",
        gettext_noop(
            "[Union] Your subsidy application {code}: {outcome}. Details on the workers' portal."
        ),
        transactional=True,
    ),
)


def register() -> None:
    for template in BENEFIT_TEMPLATES:
        TEMPLATES.setdefault(template.code, template)
