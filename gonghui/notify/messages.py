"""SMS templates: English source strings with named variables, translated like every message.

A template is rendered in the recipient's language when the message is queued, so the text
stored in the outbox is exactly the text sent. `transactional` messages (a receipt, a reply)
are sent whatever the recipient's opt-out; the others (surveys, notices) respect it.
"""

from dataclasses import dataclass
from string import Formatter

from django.utils import translation
from django.utils.translation import gettext_noop


@dataclass(frozen=True)
class MessageTemplate:
    code: str
    text: str  # English source string with {name} placeholders
    transactional: bool

    @property
    def variables(self) -> frozenset[str]:
        return frozenset(name for _, name, _, _ in Formatter().parse(self.text) if name)


TEMPLATES = {
    t.code: t
    for t in (
        MessageTemplate(
            "appeal_received",
            gettext_noop(
                "[12351] Your appeal was received. Tracking code {code}; it will be answered "
                "by {deadline}. Follow it on the workers' portal with this code and the last 4 "
                "digits of your phone."
            ),
            transactional=True,
        ),
        MessageTemplate(
            "appeal_replied",
            gettext_noop(
                "[12351] Reply to your appeal {code}: {reply} Tell us whether you are "
                "satisfied on the workers' portal."
            ),
            transactional=True,
        ),
        MessageTemplate(
            "portal_sign_in_code",
            gettext_noop(
                "[Workers' portal] Your sign-in code is {code}, valid for {minutes} minutes. "
                "Do not tell it to anyone; union staff never ask for it."
            ),
            transactional=True,
        ),
        MessageTemplate(
            "appeal_survey",
            gettext_noop(
                "[12351] How satisfied are you with the handling of appeal {code}? Rate it on "
                "the workers' portal with the code and the last 4 digits of your phone."
            ),
            transactional=False,
        ),
        # The sender's name in 【】 and the unsubscribe hint are what carriers require of a
        # notice (non-transactional) SMS.
        MessageTemplate(
            "broadcast",
            gettext_noop("[{sender}] {text} Reply T to unsubscribe."),
            transactional=False,
        ),
    )
}


class TemplateError(ValueError):
    pass


def render(code: str, *, language: str, variables: dict[str, str]) -> str:
    """The template's text in `language` with `variables` filled in; every one is required."""
    template = TEMPLATES.get(code)
    if template is None:
        raise TemplateError(f"unknown message template {code!r}")
    missing = template.variables - variables.keys()
    if missing:
        raise TemplateError(f"template {code!r} needs {', '.join(sorted(missing))}")
    with translation.override(language):
        return translation.gettext(template.text).format(**variables)
