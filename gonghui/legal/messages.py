"""SMS templates of the legal services, added to the notify catalogue when the app loads."""

from django.utils.translation import gettext_noop

from gonghui.notify.messages import TEMPLATES, MessageTemplate

LEGAL_TEMPLATES = (
    MessageTemplate(
        "legal_major_dispatch",
        gettext_noop(
            "[12351 legal] Major dispute {code} ({employer}, {workers} workers) was dispatched "
            "to your lawyers' group {team}. Open it on the legal workbench."
        ),
        transactional=True,
    ),
    MessageTemplate(
        "legal_request_received",
        gettext_noop(
            "[12351 legal] Your request was received. Lookup code {code}; follow it on the "
            "workers' portal with this code and the last 4 digits of your phone."
        ),
        transactional=True,
    ),
)


def register() -> None:
    for template in LEGAL_TEMPLATES:
        TEMPLATES.setdefault(template.code, template)
