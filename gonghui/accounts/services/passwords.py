"""Password links: the reset a staff member asks for, the invitation of a new account."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.mail import mail_after_commit
from gonghui.accounts.models import User
from gonghui.accounts.services.access import require_over
from gonghui.core.audit import audit_record
from gonghui.core.models import AuditAction, AuditEntry

# However often it is asked for, an account gets at most one link in this time (no mail bombs).
LINK_INTERVAL = timedelta(minutes=5)
LINK_SENT = "password_link_sent"


def _recently_sent(user: User) -> bool:
    return AuditEntry.objects.filter(
        action=AuditAction.USER_CHANGE,
        target_type=user._meta.label_lower,
        target_id=str(user.pk),
        detail__event=LINK_SENT,
        at__gte=timezone.now() - LINK_INTERVAL,
    ).exists()


@transaction.atomic
def password_link_send(*, user: User, request: HttpRequest, actor: User | None = None) -> None:
    """Mail `user` a link to choose a new password; ValidationError says why none was sent.

    A reset link goes only to a verified address. An account that never had a password (just
    created) gets its invitation at the address it was created with: there is nothing to take
    over yet, and its new owner verifies the address after the first login. `actor` is the
    system administrator who sends it; None when the staff member asked on the login page.
    """
    if actor is not None:
        require_over(
            actor, user, Capability.MANAGE_USERS, _("Your role may not manage staff accounts.")
        )
    invitation = not user.has_usable_password()
    if not user.is_active:
        raise ValidationError(_("The account is deactivated."))
    if not user.email:
        raise ValidationError(_("The account has no e-mail address."))
    if not (invitation or user.email_verified):
        raise ValidationError(
            _("The e-mail address is not verified yet: its owner must verify it first.")
        )
    if _recently_sent(user):
        raise ValidationError(_("A link was sent less than five minutes ago."))
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = request.build_absolute_uri(reverse("password_reset_confirm", args=[uid, token]))
    mail_after_commit(
        to=user.email,
        template="accounts/mail/password_link",
        context={
            "user": user,
            "link": link,
            "invitation": invitation,
            "days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86_400),
        },
    )
    audit_record(
        actor=actor,
        action=AuditAction.USER_CHANGE,
        target=user,
        detail={"event": LINK_SENT, "invitation": invitation},
        request=request,
    )


@transaction.atomic
def password_change_record(*, user: User, through_link: bool, request: HttpRequest) -> None:
    """Audit a password the staff member set (Django's views have already saved it)."""
    audit_record(
        actor=user if not through_link else None,
        action=AuditAction.USER_CHANGE,
        target=user,
        detail={"event": "password_reset" if through_link else "password_changed"},
        request=request,
    )
