"""Joining online (入会申请): a worker applies on the portal, the routed union decides.

An application goes to the employer's own union, or, when the employer has none, to its
community joint union (社区联合工会); with neither it is refused and the worker is sent to the
street federation. The worker gets an 8-character lookup code and follows the application with
it and the last four digits of the phone. The union decides once: approve (the member is created
in the application's union) or reject with a reason. A pending application open for more than
three working days is overdue.

ID numbers and phones are stored like the member registry's: encrypted, blind-indexed, masked.
"""

import hmac
import secrets
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability, require
from gonghui.core import pii
from gonghui.core.scoping import scoped
from gonghui.core.validators import (
    InvalidValue,
    normalize_id_number,
    normalize_mobile,
    normalize_text,
)
from gonghui.core.workdays import add_working_days, working_days_between
from gonghui.members.importing import MEMBER_ORG_KINDS
from gonghui.members.models import (
    ApplicationStatus,
    JoinApplication,
    Member,
    MemberSource,
)
from gonghui.members.services.registry import member_create
from gonghui.orgs.models import Employer, EmployerStatus, OrgStatus, UnionOrg

# No 0/O, 1/I/L: a code read aloud over the phone or copied from paper stays unambiguous.
LOOKUP_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LOOKUP_LENGTH = 8
DECISION_WORKING_DAYS = 3
REASON_MIN_LENGTH = 2
REASON_MAX_LENGTH = 500


# --- routing and codes ---------------------------------------------------------------------------


def _holds_members(org: UnionOrg | None) -> bool:
    return org is not None and org.status == OrgStatus.ACTIVE and org.kind in MEMBER_ORG_KINDS


def join_route(*, employer: Employer) -> UnionOrg | None:
    """The union that decides an application from a worker of `employer`, or None."""
    if _holds_members(employer.union):
        return employer.union
    if _holds_members(employer.community):
        return employer.community
    return None


def lookup_code_new() -> str:
    return "".join(secrets.choice(LOOKUP_ALPHABET) for _ in range(LOOKUP_LENGTH))


def lookup_code_normalize(raw: str) -> str:
    """Upper case without spaces or hyphens; full-width characters become ASCII."""
    return normalize_text(raw).upper().replace(" ", "").replace("-", "")


# --- the employer picker (public register data: name and credit code, nothing else) -----------

EMPLOYER_SEARCH_MIN = 2
EMPLOYER_SEARCH_LIMIT = 10
_USCC_CHARS = frozenset("0123456789ABCDEFGHJKLMNPQRTUWXY")


def join_employer_search(*, q: str) -> list[tuple[str, str]]:
    """(name, USCC) of at most 10 operating employers whose name or credit code starts with q."""
    term = normalize_text(q)
    if len(term) < EMPLOYER_SEARCH_MIN:
        return []
    operating = Employer.objects.filter(status=EmployerStatus.OPERATING)
    code = term.replace(" ", "").upper()
    if set(code) <= _USCC_CHARS and any(c.isdigit() for c in code):
        matches = operating.filter(uscc__startswith=code)
    else:
        matches = operating.filter(name__startswith=term)
    rows = matches.order_by("name", "uscc").values_list("name", "uscc")[:EMPLOYER_SEARCH_LIMIT]
    return list(rows)


def join_employer_get(*, term: str) -> Employer | None:
    """The operating employer the worker chose: by credit code, or by its exact, unique name."""
    term = normalize_text(term)
    if not term:
        return None
    operating = Employer.objects.filter(status=EmployerStatus.OPERATING).select_related(
        "union", "community"
    )
    found = operating.filter(uscc=term.replace(" ", "").upper()).first()
    if found is None:
        named = list(operating.filter(name=term)[:2])
        found = named[0] if len(named) == 1 else None
    return found


# --- the worker's side ---------------------------------------------------------------------------


def _normalized(id_number: str, phone: str) -> tuple[str, str]:
    errors: dict[str, list[str]] = {}
    try:
        id_number = normalize_id_number(id_number)
    except InvalidValue as exc:
        errors["id_number"] = [str(exc)]
    try:
        phone = normalize_mobile(phone)
    except InvalidValue as exc:
        errors["phone"] = [str(exc)]
    if errors:
        raise ValidationError(errors)
    return id_number, phone


@transaction.atomic
def join_application_submit(
    *, name: str, id_number: str, phone: str, employer: Employer
) -> JoinApplication:
    """File a worker's application and route it. Refusals are ValidationErrors with a code:

    `already_member`, `already_pending`, `employer_closed`, `no_union`. None of them says where
    the existing member or application is.
    """
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": [_("Enter your name.")]})
    id_number, phone = _normalized(id_number, phone)
    id_index = pii.blind_index(id_number, kind="id_number")
    if Member.objects.filter(id_number_index=id_index).exists():
        raise ValidationError(
            _(
                "Our records show that you are already a union member, so there is no need to "
                "apply. If you think this is wrong, please contact your union or the street "
                "federation of your area."
            ),
            code="already_member",
        )
    pending = JoinApplication.objects.filter(
        id_number_index=id_index, status=ApplicationStatus.PENDING
    )
    if pending.exists():
        raise _already_pending()
    if employer.status != EmployerStatus.OPERATING:
        raise ValidationError(
            _("This employer is no longer registered as operating; choose your current employer."),
            code="employer_closed",
        )
    org = join_route(employer=employer)
    if org is None:
        raise ValidationError(
            _(
                "Your employer has no union yet and belongs to no community joint union, so the "
                "application cannot be routed. Please contact the street (township) federation "
                "of your area: it can help you join or help your workplace set up a union."
            ),
            code="no_union",
        )
    fields = {
        "name": name,
        "id_number": pii.encrypt(id_number),
        "id_number_index": id_index,
        "id_number_masked": pii.mask_id_number(id_number),
        "phone": pii.encrypt(phone),
        "phone_index": pii.blind_index(phone, kind="phone"),
        "phone_masked": pii.mask_phone(phone),
        "employer": employer,
        "org": org,
    }
    for _attempt in range(5):
        code = lookup_code_new()
        if JoinApplication.objects.filter(lookup_code=code).exists():
            continue
        try:
            with transaction.atomic():  # savepoint: a concurrent submission may take the code
                return JoinApplication.objects.create(lookup_code=code, **fields)
        except IntegrityError:
            # Either the code was taken, or a simultaneous submission of the same ID won the
            # one-pending-application-per-ID constraint.
            if pending.exists():
                raise _already_pending() from None
    raise RuntimeError("no free lookup code after 5 attempts")  # 31**8 codes: never in practice


def _already_pending() -> ValidationError:
    return ValidationError(
        _(
            "An application with this ID number is already waiting for a decision. You can "
            "follow it on the status page with the lookup code you were given."
        ),
        code="already_pending",
    )


def join_application_lookup(*, code: str, phone_last4: str) -> JoinApplication | None:
    """The application with this code whose phone ends in these 4 digits, else None.

    A wrong pair and an unknown code give the same answer, so the page is no oracle for codes.
    """
    code = lookup_code_normalize(code)
    digits = normalize_text(phone_last4).replace(" ", "")
    if len(code) != LOOKUP_LENGTH or len(digits) != 4 or not digits.isascii():
        return None
    application = JoinApplication.objects.select_related("org").filter(lookup_code=code).first()
    if application is None:
        return None
    if not hmac.compare_digest(application.phone_masked[-4:].encode(), digits.encode()):
        return None
    return application


# --- the union's side ----------------------------------------------------------------------------


def _require_manager(user: Any) -> None:
    require(user, Capability.MANAGE_MEMBERS, _("Your role may not decide join applications."))


def _lock_pending(*, user: Any, application: JoinApplication) -> JoinApplication:
    locked = (
        scoped(JoinApplication.objects.select_for_update(of=("self",)), user=user)
        .filter(pk=application.pk)
        .first()
    )
    if locked is None:
        raise PermissionDenied(_("This application is outside your organisation's scope."))
    if locked.status != ApplicationStatus.PENDING:
        raise ValidationError(
            _("This application was already decided (%(status)s); it can be decided only once."),
            code="already_decided",
            params={"status": str(ApplicationStatus(locked.status).label)},
        )
    return locked


@transaction.atomic
def join_application_approve(*, user: Any, application: JoinApplication) -> Member:
    """Register the applicant as a member of the application's union and link the member."""
    _require_manager(user)
    locked = _lock_pending(user=user, application=application)
    id_number = pii.decrypt(locked.id_number)
    refusal = ValidationError(
        _(
            "This ID number became a member meanwhile; the application cannot be approved. "
            "Reject it with a note instead."
        ),
        code="already_member",
    )
    if Member.objects.filter(id_number_index=pii.blind_index(id_number, kind="id_number")).exists():
        raise refusal
    try:
        with transaction.atomic():  # savepoint: a concurrent registration of the same ID
            member = member_create(
                name=locked.name,
                id_number=id_number,
                phone=pii.decrypt(locked.phone),
                org=locked.org,
                employer=locked.employer,
                joined_on=timezone.localdate(),
                source=MemberSource.PORTAL,
            )
    except IntegrityError:
        raise refusal from None
    locked.status = ApplicationStatus.APPROVED
    locked.member = member
    locked.decided_by = user
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "member", "decided_by", "decided_at"])
    application.refresh_from_db()
    return member


@transaction.atomic
def join_application_reject(
    *, user: Any, application: JoinApplication, reason: str
) -> JoinApplication:
    """Refuse the application; the reason is shown to the worker on the status page."""
    _require_manager(user)
    reason = " ".join(reason.split())
    if len(reason) < REASON_MIN_LENGTH:
        raise ValidationError(
            {"reason": [_("Give the reason for rejecting; the applicant will see it.")]}
        )
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({"reason": [_("The reason is too long (at most 500 characters).")]})
    locked = _lock_pending(user=user, application=application)
    locked.status = ApplicationStatus.REJECTED
    locked.reason = reason
    locked.decided_by = user
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    application.refresh_from_db()
    return locked


# --- deadlines -----------------------------------------------------------------------------------


def join_application_overdue(application: JoinApplication, *, today: date) -> bool:
    """Pending for more than 3 working days after the (local) day it was submitted."""
    if application.status != ApplicationStatus.PENDING:
        return False
    submitted = timezone.localtime(application.submitted_at).date()
    return working_days_between(submitted, today) > DECISION_WORKING_DAYS


def join_overdue_before(*, today: date) -> datetime:
    """Pending applications submitted before this moment are overdue on `today`.

    Overdue means more than 3 working days in (submitted day, today], i.e. submitted on a day
    before the 4th working day counted back from today (today included): one calendar read for
    a whole list, however long.
    """
    first_late = add_working_days(today + timedelta(days=1), -(DECISION_WORKING_DAYS + 1))
    return timezone.make_aware(datetime.combine(first_late, time.min))


def join_applications_overdue(
    applications: QuerySet[JoinApplication], *, today: date
) -> QuerySet[JoinApplication]:
    return applications.filter(
        status=ApplicationStatus.PENDING, submitted_at__lt=join_overdue_before(today=today)
    )
