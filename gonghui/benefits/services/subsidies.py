"""Subsidy programmes: applications, the eligibility check, review, payment batches.

The eligibility check names EVERY failed rule. An application failing a rule is recorded and
refused at once (status rejected, with the reasons), so the applicant sees why and may apply
again with corrected data; a certificate already applied for is never recorded twice
(`DuplicateCertificate` names the earlier application; a partial unique constraint holds it
under concurrency). Approvals lock the programme row, so the approved total never exceeds the
budget, whatever reviewers approve at the same moment.
"""

import secrets
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gonghui.accounts.capabilities import Capability, require
from gonghui.benefits.models import (
    Occupation,
    PaymentBatch,
    SubsidyApplication,
    SubsidyChannel,
    SubsidyProgramme,
    SubsidyStatus,
)
from gonghui.benefits.notifications import member_notify
from gonghui.benefits.services.catalogue import save_unique
from gonghui.core import pii
from gonghui.core.audit import audit_record
from gonghui.core.exporting import write_xlsx
from gonghui.core.models import AuditAction
from gonghui.core.scoping import scoped
from gonghui.members.models import Member, MemberStatus
from gonghui.orgs.models import UnionOrg

# Statuses holding a claim on the certificate, the member's level and the budget.
LIVE = (SubsidyStatus.SUBMITTED, SubsidyStatus.RETURNED, SubsidyStatus.APPROVED, SubsidyStatus.PAID)
COMMITTED = (SubsidyStatus.APPROVED, SubsidyStatus.PAID)
_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
ALLOWED_SCAN_TYPES = {".pdf", ".jpg", ".jpeg", ".png"}
MAX_SCAN_BYTES = 10 * 1024 * 1024


class DuplicateCertificate(ValidationError):
    """The certificate was applied for already: `earlier` is that application."""

    def __init__(self, earlier: SubsidyApplication) -> None:
        self.earlier = earlier
        super().__init__(
            _("Certificate %(certificate)s was already applied for in application %(code)s.")
            % {"certificate": earlier.certificate_no, "code": earlier.code}
        )


@dataclass(frozen=True)
class Check:
    reasons: list[str]
    amount: Decimal
    occupation: Occupation | None

    @property
    def eligible(self) -> bool:
        return not self.reasons


def certificate_normalize(raw: str) -> str:
    return "".join(raw.split()).upper()


def _months_between(start: date, end: date) -> int:
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - 1 if end.day < start.day else months


def programme_levels(programme: SubsidyProgramme) -> dict[int, Decimal]:
    return {int(level): Decimal(str(amount)) for level, amount in programme.levels.items()}


def subsidy_check(
    *,
    programme: SubsidyProgramme,
    member: Member,
    level: int,
    occupation_code: str,
    issued_on: date,
    today: date | None = None,
    exclude: SubsidyApplication | None = None,
) -> Check:
    """Every rule of the programme the application fails, in words, and the amount due."""
    today = today or timezone.localdate()
    reasons: list[str] = []
    if not programme.starts_on <= today <= programme.ends_on:
        reasons.append(
            _("The programme accepts applications from %(start)s to %(end)s.")
            % {"start": programme.starts_on.isoformat(), "end": programme.ends_on.isoformat()}
        )
    if member.status != MemberStatus.ACTIVE:
        reasons.append(
            _("The applicant is not an active union member (status: %(status)s).")
            % {"status": member.get_status_display()}
        )
    months = programme.min_member_months
    if months and (member.joined_on is None or _months_between(member.joined_on, today) < months):
        reasons.append(
            _(
                "At least %(months)d months of membership are required; the applicant joined "
                "on %(joined)s."
            )
            % {
                "months": months,
                "joined": member.joined_on.isoformat() if member.joined_on else "—",
            }
        )
    levels = programme_levels(programme)
    if level not in levels:
        reasons.append(
            _(
                "Certificate level %(level)d is not covered by this programme "
                "(levels covered: %(levels)s)."
            )
            % {"level": level, "levels": ", ".join(str(n) for n in sorted(levels))}
        )
    occupation = programme.occupations.filter(code=occupation_code.strip()).first()
    if occupation is None:
        reasons.append(
            _("Occupation “%(code)s” is not on the programme's list of occupations.")
            % {"code": occupation_code}
        )
    if issued_on > today:
        reasons.append(_("The certificate's issue date lies in the future."))
    same_level = SubsidyApplication.objects.filter(
        programme=programme, member=member, level=level, status__in=LIVE
    )
    if exclude is not None:
        same_level = same_level.exclude(pk=exclude.pk)
    earlier = same_level.first()
    if earlier is not None:
        reasons.append(
            _("The applicant already has application %(code)s for a level %(level)d certificate.")
            % {"code": earlier.code, "level": level}
        )
    amount = levels.get(level, Decimal(0)) if not reasons else Decimal(0)
    return Check(reasons=reasons, amount=amount, occupation=occupation)


def _new_code() -> str:
    while True:
        code = "SA" + "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))
        if not SubsidyApplication.objects.filter(code=code).exists():
            return code


def scan_validate(scan: UploadedFile | None) -> None:
    if scan is None:
        return
    suffix = Path(scan.name or "").suffix.lower()
    if suffix not in ALLOWED_SCAN_TYPES:
        raise ValidationError({"scan": _("Upload the certificate as PDF, JPG or PNG.")})
    if (scan.size or 0) > MAX_SCAN_BYTES:
        raise ValidationError({"scan": _("The scan is larger than 10 MB.")})


def _earlier_certificate(
    programme: SubsidyProgramme, certificate_no: str, exclude: SubsidyApplication | None = None
) -> SubsidyApplication | None:
    qs = SubsidyApplication.objects.filter(programme=programme, certificate_no=certificate_no)
    qs = qs.exclude(status=SubsidyStatus.REJECTED)
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    return qs.order_by("pk").first()


def _apply_check(application: SubsidyApplication, check: Check) -> None:
    application.eligible = check.eligible
    application.reasons = check.reasons
    application.amount = check.amount
    if check.eligible:
        application.status = SubsidyStatus.SUBMITTED
        application.decided_at, application.decision_note = None, ""
    else:
        application.status = SubsidyStatus.REJECTED
        application.decided_at = timezone.now()
        application.decision_note = _("Refused by the eligibility check.")


def _save_claiming_certificate(application: SubsidyApplication) -> None:
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError:
        earlier = _earlier_certificate(
            application.programme, application.certificate_no, application
        )
        if earlier is None:
            raise
        raise DuplicateCertificate(earlier) from None


def _checked(
    *,
    programme: SubsidyProgramme,
    member: Member,
    certificate_no: str,
    level: int,
    occupation_code: str,
    issued_on: date,
    exclude: SubsidyApplication | None = None,
) -> tuple[str, Check, Occupation]:
    """The normalised certificate number, the eligibility check and the occupation of an
    application's data; DuplicateCertificate when the certificate was applied for already."""
    certificate_no = certificate_normalize(certificate_no)
    if not certificate_no:
        raise ValidationError({"certificate_no": _("Enter the certificate number.")})
    earlier = _earlier_certificate(programme, certificate_no, exclude)
    if earlier is not None:
        raise DuplicateCertificate(earlier)
    check = subsidy_check(
        programme=programme,
        member=member,
        level=level,
        occupation_code=occupation_code,
        issued_on=issued_on,
        exclude=exclude,
    )
    occupation = check.occupation or Occupation.objects.filter(code=occupation_code.strip()).first()
    if occupation is None:
        message = _("No occupation has the code “%(code)s”.") % {"code": occupation_code}
        raise ValidationError({"occupation_code": message})
    return certificate_no, check, occupation


@transaction.atomic
def subsidy_apply(
    *,
    programme: SubsidyProgramme,
    member: Member,
    certificate_no: str,
    level: int,
    occupation_code: str,
    issued_on: date,
    scan: UploadedFile | None = None,
    channel: str = SubsidyChannel.PORTAL,
) -> SubsidyApplication:
    """Record an application with its eligibility check (refused at once when a rule fails)."""
    scan_validate(scan)
    certificate_no, check, occupation = _checked(
        programme=programme, member=member, certificate_no=certificate_no, level=level,
        occupation_code=occupation_code, issued_on=issued_on,
    )  # fmt: skip
    application = SubsidyApplication(
        code=_new_code(),
        programme=programme,
        member=member,
        org=member.org,
        certificate_no=certificate_no,
        level=level,
        occupation=occupation,
        issued_on=issued_on,
        channel=channel,
    )
    if scan is not None:
        application.scan = scan
    _apply_check(application, check)
    _save_claiming_certificate(application)
    return application


@transaction.atomic
def subsidy_correct(
    *,
    application: SubsidyApplication,
    certificate_no: str,
    level: int,
    occupation_code: str,
    issued_on: date,
    scan: UploadedFile | None = None,
) -> SubsidyApplication:
    """The applicant's corrected data for an application returned to them; checked again."""
    application = SubsidyApplication.objects.select_for_update().get(pk=application.pk)
    if application.status != SubsidyStatus.RETURNED:
        raise ValidationError(_("Only an application returned for correction can be changed."))
    scan_validate(scan)
    certificate_no, check, occupation = _checked(
        programme=application.programme, member=application.member,
        certificate_no=certificate_no, level=level, occupation_code=occupation_code,
        issued_on=issued_on, exclude=application,
    )  # fmt: skip
    application.certificate_no, application.level = certificate_no, level
    application.occupation, application.issued_on = occupation, issued_on
    if scan is not None:
        application.scan = scan
    _apply_check(application, check)
    _save_claiming_certificate(application)
    return application


class Decision:
    APPROVE = "approve"
    REJECT = "reject"
    RETURN = "return"
    ALL = (APPROVE, REJECT, RETURN)


def committed_amount(programme: SubsidyProgramme) -> Decimal:
    total = SubsidyApplication.objects.filter(programme=programme, status__in=COMMITTED).aggregate(
        total=Sum("amount")
    )["total"]
    return Decimal(total or 0)


@transaction.atomic
def subsidy_decide(
    *,
    user: Any,
    application: SubsidyApplication,
    decision: str,
    note: str = "",
    notify: bool = True,
) -> SubsidyApplication:
    """Approve, reject or return an application awaiting review; the applicant gets an SMS
    (`notify=False`: none, for decisions loaded from elsewhere such as the demo's history)."""
    if decision not in Decision.ALL:
        raise ValidationError(_("Unknown decision."))
    note = note.strip()
    if decision != Decision.APPROVE and not note:
        raise ValidationError({"note": _("Give the applicant the reason.")})
    # The programme row first: every approval of a programme waits for the one before it.
    programme = SubsidyProgramme.objects.select_for_update().get(pk=application.programme_id)
    application = SubsidyApplication.objects.select_for_update().get(pk=application.pk)
    if application.status != SubsidyStatus.SUBMITTED:
        raise ValidationError(
            _("Application %(code)s is not awaiting review (status: %(status)s).")
            % {"code": application.code, "status": application.get_status_display()}
        )
    if decision == Decision.APPROVE:
        check = subsidy_check(
            programme=programme,
            member=application.member,
            level=application.level,
            occupation_code=application.occupation.code,
            issued_on=application.issued_on,
            exclude=application,
        )
        if not check.eligible:
            raise ValidationError(check.reasons)
        committed = committed_amount(programme)
        if committed + check.amount > programme.budget:
            raise ValidationError(
                _(
                    "Approving %(amount)s yuan would exceed the budget: %(committed)s of "
                    "%(budget)s yuan are committed."
                )
                % {"amount": check.amount, "committed": committed, "budget": programme.budget}
            )
        application.amount = check.amount
        application.status = SubsidyStatus.APPROVED
        outcome_source = gettext_noop("approved, %(amount)s yuan")
    elif decision == Decision.REJECT:
        application.status = SubsidyStatus.REJECTED
        outcome_source = gettext_noop("rejected")
    else:
        application.status = SubsidyStatus.RETURNED
        outcome_source = gettext_noop("returned to you for correction")
    with translation.override(settings.LANGUAGE_CODE):
        outcome_text = translation.gettext(outcome_source) % {"amount": application.amount}
    application.decided_at = timezone.now()
    application.decided_by = user
    application.decision_note = note
    application.save()
    if notify:
        member_notify(
            member=application.member,
            template="subsidy_decided",
            variables={"code": application.code, "outcome": outcome_text},
            reference=application.code,
        )
    return application


@transaction.atomic
def batch_create(*, user: Any, programme: SubsidyProgramme, org: UnionOrg) -> PaymentBatch:
    """Put every approved, unbatched application of `org`'s subtree (in the user's scope) in a
    new payment batch."""
    SubsidyProgramme.objects.select_for_update().get(pk=programme.pk)
    approved = scoped(SubsidyApplication.objects.all(), user=user).filter(
        programme=programme,
        status=SubsidyStatus.APPROVED,
        batch__isnull=True,
        org__path__startswith=org.path,
    )
    ids = list(approved.values_list("pk", flat=True))
    if not ids:
        raise ValidationError(_("No approved application is waiting for payment."))
    stamp = timezone.localtime()
    batch = PaymentBatch.objects.create(
        programme=programme,
        org=org,
        code=f"PB{stamp:%Y%m%d}{secrets.randbelow(10**6):06d}",
        created_by=user,
    )
    SubsidyApplication.objects.filter(pk__in=ids).update(batch=batch)
    return batch


def batch_rows(batch: PaymentBatch, *, unmasked: bool = False) -> list[list[str]]:
    header = [
        _("Application number"),
        _("Name"),
        _("Resident ID number"),
        _("Union"),
        _("Occupation"),
        _("Certificate level"),
        _("Certificate number"),
        _("Amount (yuan)"),
    ]
    rows = [[str(h) for h in header]]
    applications = batch.applications.select_related("member", "org", "occupation").order_by("code")
    for a in applications:
        rows.append(
            [
                a.code,
                a.member.name,
                pii.decrypt(a.member.id_number) if unmasked else a.member.id_number_masked,
                a.org.name,
                f"{a.occupation.code} {a.occupation.name}",
                str(a.level),
                a.certificate_no,
                f"{a.amount:.2f}",
            ]
        )
    return rows


def batch_export(
    *,
    user: Any,
    batch: PaymentBatch,
    unmasked: bool = False,
    reason: str = "",
    request: HttpRequest | None = None,
) -> Path:
    """The bank's file of a batch (XLSX). ID numbers are masked unless a user allowed to export
    personal data gives a reason (the bank pays by ID number); every export is audited."""
    if unmasked:
        require(user, Capability.EXPORT_PII, _("Your role may not export unmasked personal data."))
        if len(reason.strip()) < 2:
            raise ValidationError(_("Give the reason for exporting unmasked data."))
    audit_record(
        actor=user,
        action=AuditAction.EXPORT,
        target=batch,
        reason=reason.strip(),
        detail={
            "kind": "subsidy_payment_batch",
            "unmasked": unmasked,
            "rows": batch.applications.count(),
        },
        request=request,
    )
    return write_xlsx(batch_rows(batch, unmasked=unmasked), sheet=batch.code)


@transaction.atomic
def batch_mark_paid(*, user: Any, batch: PaymentBatch) -> PaymentBatch:
    batch = PaymentBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.paid_at is not None:
        raise ValidationError(
            _("Batch %(code)s was marked paid on %(date)s.")
            % {"code": batch.code, "date": date_format(timezone.localtime(batch.paid_at), "Y-m-d")}
        )
    batch.paid_at = timezone.now()
    batch.save(update_fields=["paid_at"])
    batch.applications.filter(status=SubsidyStatus.APPROVED).update(status=SubsidyStatus.PAID)
    return batch


def occupations_seed() -> int:
    """Load the listed occupations (idempotent); the number created."""
    from gonghui.benefits.occupations import LISTED_OCCUPATIONS

    known = set(Occupation.objects.values_list("code", flat=True))
    new = [Occupation(code=c, name=n) for c, n in LISTED_OCCUPATIONS if c not in known]
    Occupation.objects.bulk_create(new)
    return len(new)


@transaction.atomic
def programme_save(
    *,
    org: UnionOrg,
    code: str,
    name: str,
    starts_on: date,
    ends_on: date,
    budget: Decimal,
    levels: dict[int, Decimal],
    min_member_months: int = 0,
    occupation_codes: list[str] | None = None,
    programme: SubsidyProgramme | None = None,
) -> SubsidyProgramme:
    """Create or update a programme (`programme`, else the one with `code`) with its amounts
    by level and its listed occupations. The budget never drops below what is approved."""
    code = code.strip().upper()
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The programme cannot end before it starts.")})
    if budget <= 0 or not levels or any(amount <= 0 for amount in levels.values()):
        raise ValidationError(
            _("A programme needs a positive budget and an amount for each level.")
        )
    if programme is None:
        programme = SubsidyProgramme.objects.filter(code=code).first() or SubsidyProgramme()
    if programme.pk is not None:
        programme = SubsidyProgramme.objects.select_for_update().get(pk=programme.pk)
        committed = committed_amount(programme)
        if budget < committed:
            message = _("%(committed)s yuan are approved already; the budget cannot be lower.")
            raise ValidationError({"budget": message % {"committed": committed}})
    programme.org, programme.code, programme.name = org, code, name.strip()
    programme.starts_on, programme.ends_on, programme.budget = starts_on, ends_on, budget
    programme.levels = {str(level): str(amount) for level, amount in sorted(levels.items())}
    programme.min_member_months = min_member_months
    taken = _("Another programme has the code %(code)s.") % {"code": code}
    save_unique(programme, field="code", message=taken)
    if occupation_codes is not None:
        found = list(Occupation.objects.filter(code__in=occupation_codes))
        missing = sorted(set(occupation_codes) - {o.code for o in found})
        if missing:
            raise ValidationError(
                _("Unknown occupation codes: %(codes)s.") % {"codes": ", ".join(missing)}
            )
        programme.occupations.set(found)
    return programme
