"""A staff member's e-mail address and mobile phone, and the owner's proof of holding them.

Only a proved contact may carry a password reset: an address someone else typed could be that
person's own. The proof happens in the owner's logged-in session (the link or the code alone is
not enough), so whoever changed a contact cannot prove it in the owner's place. Every change
leaves the new value unproved, the owner's own changes too (a mistyped address must not receive
reset links).
"""

import secrets
import time
from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.mail import mail_after_commit
from gonghui.accounts.models import User
from gonghui.accounts.services.access import require_over
from gonghui.core import pii
from gonghui.core.audit import audit_record
from gonghui.core.models import AuditAction
from gonghui.core.validators import InvalidMobile, normalize_mobile

EMAIL_LINK_SALT = "gonghui.accounts.email-verification"
EMAIL_LINK_MAX_AGE = 3 * 24 * 3600
PHONE_CODE_SESSION_KEY = "accounts_phone_code"
PHONE_CODE_SECONDS = 10 * 60
PHONE_CODE_TRIES = 5
CONTACT_FIELDS = ["email", "phone", "phone_index", "phone_masked"]


def apply_contacts(user: User, *, email: str | None, phone: str | None) -> dict[str, list[str]]:
    """Set the e-mail address and/or phone on `user` (not saved; None leaves a value, "" clears
    it) and return what changed, field → [before, after], the phone masked."""
    changes: dict[str, list[str]] = {}
    if email is not None:
        email = User.objects.normalize_email(email.strip())
        if email:
            validate_email(email)
        if email.lower() != user.email.lower():
            changes["email"] = [user.email, email]
        user.email = email
    if phone is not None:
        try:
            number = normalize_mobile(phone) if phone.strip() else ""
        except InvalidMobile as exc:
            raise ValidationError({"phone": str(exc)}) from None
        index = pii.blind_index(number, kind="phone") if number else ""
        if index != user.phone_index:
            masked = pii.mask_phone(number) if number else ""
            changes["phone"] = [user.phone_masked, masked]
            user.phone = pii.encrypt(number) if number else ""
            user.phone_index, user.phone_masked = index, masked
    return changes


@transaction.atomic
def user_contact_update(
    *,
    actor: User,
    user: User,
    email: str | None = None,
    phone: str | None = None,
    request: HttpRequest | None = None,
) -> User:
    """Change a staff member's e-mail address and/or phone (None leaves it, "" removes it).

    The owner may change their own; anyone else needs the system administrator's capability
    over the account. A changed contact is unproved until the owner proves it; a new address
    gets its verification link at once (when `request` is given to build it).
    """
    if actor.pk != user.pk:
        require_over(
            actor, user, Capability.MANAGE_USERS, _("Your role may not change staff accounts.")
        )
    changes = apply_contacts(user, email=email, phone=phone)
    if changes:
        user.save(update_fields=CONTACT_FIELDS)
        audit_record(
            actor=actor,
            action=AuditAction.USER_CHANGE,
            target=user,
            detail={"event": "contacts_changed", "changes": changes},
            request=request,
        )
        if "email" in changes and user.email and not user.email_verified and request is not None:
            email_link_send(user=user, request=request)
    return user


def email_link_send(*, user: User, request: HttpRequest) -> None:
    """Mail the owner a link that proves their address when they open it while logged in."""
    if not user.email:
        raise ValidationError(_("Add an e-mail address first."))
    if user.email_verified:
        raise ValidationError(_("This e-mail address is already verified."))
    token = signing.dumps({"user": user.pk, "email": user.email.lower()}, salt=EMAIL_LINK_SALT)
    link = request.build_absolute_uri(reverse("accounts:email_verify", args=[token]))
    mail_after_commit(
        to=user.email,
        template="accounts/mail/email_verification",
        context={"user": user, "link": link, "days": EMAIL_LINK_MAX_AGE // 86_400},
    )


@transaction.atomic
def email_verify(*, user: User, token: str, request: HttpRequest | None = None) -> None:
    """Mark the address proved if `token` was sent to it, for this very account."""
    try:
        payload: Any = signing.loads(token, salt=EMAIL_LINK_SALT, max_age=EMAIL_LINK_MAX_AGE)
    except signing.SignatureExpired:
        raise ValidationError(_("This link has expired: send a new one.")) from None
    except signing.BadSignature:
        raise ValidationError(_("This link is not valid.")) from None
    if payload.get("user") != user.pk:
        raise ValidationError(_("This link belongs to another account: log in as its owner."))
    if payload.get("email") != user.email.lower():
        raise ValidationError(_("The e-mail address has changed since this link was sent."))
    if user.email_verified:
        return
    user.verified_email = user.email
    user.save(update_fields=["verified_email"])
    audit_record(
        actor=user,
        action=AuditAction.USER_CHANGE,
        target=user,
        detail={"event": "email_verified", "email": user.email},
        request=request,
    )


def _code_digest(user: User, code: str) -> str:
    return salted_hmac(
        "gonghui.accounts.phone-code", f"{user.pk}:{user.phone_index}:{code}"
    ).hexdigest()


def phone_code_send(*, user: User, session: SessionBase) -> None:
    """Send the owner a one-time code that proves their phone, valid ten minutes.

    Until an SMS gateway exists the code goes to the verified e-mail address, which proves the
    owner holds that address rather than the phone; `_deliver_phone_code` is the one place to
    switch to a text message.
    """
    if not user.phone:
        raise ValidationError(_("Add a mobile number first."))
    if user.phone_verified:
        raise ValidationError(_("This mobile number is already verified."))
    if not user.email_verified:
        raise ValidationError(
            _("Verify your e-mail address first: the code is sent there for now.")
        )
    code = f"{secrets.randbelow(1_000_000):06d}"
    session[PHONE_CODE_SESSION_KEY] = {
        "index": user.phone_index,
        "digest": _code_digest(user, code),
        "expires": int(time.time()) + PHONE_CODE_SECONDS,
        "tries": 0,
    }
    _deliver_phone_code(user, code)


def _deliver_phone_code(user: User, code: str) -> None:
    mail_after_commit(
        to=user.email,
        template="accounts/mail/phone_code",
        context={
            "user": user,
            "code": code,
            "phone": user.phone_masked,
            "minutes": PHONE_CODE_SECONDS // 60,
        },
    )


@transaction.atomic
def phone_verify(
    *, user: User, session: SessionBase, code: str, request: HttpRequest | None = None
) -> None:
    """Mark the phone proved if `code` is the one last sent for it (five tries, ten minutes)."""
    state = session.get(PHONE_CODE_SESSION_KEY)
    if not state or state["index"] != user.phone_index or state["expires"] < time.time():
        session.pop(PHONE_CODE_SESSION_KEY, None)
        raise ValidationError(_("No valid code is pending: send a new one."))
    if not constant_time_compare(_code_digest(user, "".join(code.split())), state["digest"]):
        state["tries"] += 1
        if state["tries"] >= PHONE_CODE_TRIES:
            session.pop(PHONE_CODE_SESSION_KEY, None)
            raise ValidationError(_("Too many wrong codes: send a new one."))
        session[PHONE_CODE_SESSION_KEY] = state
        raise ValidationError(_("This code is not the one we sent."))
    session.pop(PHONE_CODE_SESSION_KEY, None)
    user.verified_phone_index = user.phone_index
    user.save(update_fields=["verified_phone_index"])
    audit_record(
        actor=user,
        action=AuditAction.USER_CHANGE,
        target=user,
        detail={"event": "phone_verified", "phone": user.phone_masked},
        request=request,
    )
