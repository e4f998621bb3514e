"""SMS to a member through notify's outbox (queued in the caller's transaction)."""

from django.conf import settings

from gonghui.core import pii
from gonghui.members.models import Member
from gonghui.notify.services import message_enqueue


def member_notify(
    *, member: Member, template: str, variables: dict[str, str], reference: str
) -> bool:
    """Queue `template` for the member's phone; False when no phone is on record."""
    if not member.phone:
        return False
    message_enqueue(
        template=template,
        phone=pii.decrypt(member.phone),
        variables=variables,
        language=settings.LANGUAGE_CODE,
        reference=reference,
    )
    return True
