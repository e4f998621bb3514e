"""Every write of the legal services: consultations, legal aid, dispute cases, documents.

Functions are keyword-only and run in one transaction. Field errors are ValidationErrors keyed
by field, in the active language; a missing capability is PermissionDenied.
"""

import secrets
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability, can, require
from gonghui.appeals.models import ActionKind, Alert, Appeal
from gonghui.appeals.services.history import record as appeal_history_record
from gonghui.appeals.services.machine import next_status
from gonghui.core import pii
from gonghui.core.audit import audit_record
from gonghui.core.counters import counter_raise
from gonghui.core.models import AuditAction
from gonghui.core.validators import (
    InvalidValue,
    normalize_id_number,
    normalize_mobile,
    normalize_text,
    normalize_uscc,
)
from gonghui.legal.classification import next_path, recommended_paths
from gonghui.legal.models import (
    AidCaseType,
    AidOutcome,
    AidStatus,
    CaseDocument,
    CaseStep,
    Claim,
    ClaimType,
    Consultation,
    ConsultationChannel,
    ConsultationStatus,
    DisputeCase,
    DisputeOutcome,
    DisputeStatus,
    DisputeType,
    DisputeWorker,
    DocumentKind,
    Lawyer,
    LawyerTeam,
    LegalAidCase,
    Mediator,
    ResolutionPath,
    RightsSubtype,
    StepOutcome,
    Topic,
)
from gonghui.members.models import Member
from gonghui.notify.services import message_enqueue
from gonghui.orgs.models import Employer, UnionOrg
from gonghui.places.models import MEDIATION_KINDS, PointStatus, ServicePoint

TEXT_MAX = 5000
WORKERS_MAX = 100_000
AMOUNT_MAX = Decimal("999999999999.99")

CONSULTATION_PREFIX = "ZX"
AID_PREFIX = "YZ"
DISPUTE_PREFIX = "ZY"


def _fail(errors: dict[str, list[str]], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def code_reserve(*, prefix: str, year: int) -> str:
    """The next code of `prefix` in `year` (ZX2026000001), under the counter's row lock."""
    sequence = counter_raise(f"legal_{prefix}_{year}")
    return f"{prefix}{year}{sequence:06d}"


@dataclass(frozen=True)
class Person:
    name: str
    phone: str
    id_number: str = ""

    def protected(self) -> dict[str, str]:
        """The model fields of a name, phone (and ID number) stored like the registry's."""
        fields = {
            "name": self.name,
            "phone": pii.encrypt(self.phone) if self.phone else "",
            "phone_index": pii.blind_index(self.phone, kind="phone") if self.phone else "",
            "phone_masked": pii.mask_phone(self.phone) if self.phone else "",
        }
        if self.id_number:
            fields |= {
                "id_number": pii.encrypt(self.id_number),
                "id_number_index": pii.blind_index(self.id_number, kind="id_number"),
                "id_number_masked": pii.mask_id_number(self.id_number),
            }
        return fields


def _person(
    errors: dict[str, list[str]],
    *,
    name: str,
    phone: str,
    id_number: str = "",
    phone_required: bool = True,
    prefix: str = "",
) -> Person:
    name = " ".join(name.split())[:50]
    if not name:
        _fail(errors, f"{prefix}name", _("Enter the worker's name."))
    number = ""
    if phone.strip() or phone_required:
        try:
            number = normalize_mobile(phone)
        except InvalidValue as exc:
            _fail(errors, f"{prefix}phone", str(exc))
    id18 = ""
    if id_number.strip():
        try:
            id18 = normalize_id_number(id_number)
        except InvalidValue as exc:
            _fail(errors, f"{prefix}id_number", str(exc))
    return Person(name=name, phone=number, id_number=id18)


def _text(errors: dict[str, list[str]], field: str, value: str, message: str) -> str:
    value = value.strip()
    if not value:
        _fail(errors, field, message)
    elif len(value) > TEXT_MAX:
        _fail(errors, field, _("Too long (at most 5000 characters)."))
    return value


def parse_amount(raw: Any) -> Decimal:
    """A non-negative yuan amount with at most 2 decimals; InvalidValue otherwise."""
    try:
        amount = Decimal(str(raw).strip().replace(",", "") or "0")
    except InvalidOperation:
        raise InvalidValue(_("Enter an amount in yuan, e.g. 12000.50.")) from None
    if not amount.is_finite() or amount < 0 or amount > AMOUNT_MAX:
        raise InvalidValue(_("Enter an amount between 0 and 999 999 999 999.99 yuan."))
    if amount != amount.quantize(Decimal("0.01")):
        raise InvalidValue(_("An amount has at most 2 decimals (fen)."))
    return amount.quantize(Decimal("0.01"))


def _require_handler(user: Any) -> None:
    if user is not None:
        require(user, Capability.HANDLE_LEGAL, _("Your role may not work on legal cases."))


def _actor_name(user: Any) -> str:
    if user is None or not getattr(user, "is_authenticated", False):
        return _("system")
    name: str = user.display_name
    return name


def _member_of(person: Person) -> Member | None:
    if person.id_number:
        index = pii.blind_index(person.id_number, kind="id_number")
        found = Member.objects.filter(id_number_index=index).first()
        if found is not None:
            return found
    if person.phone:
        index = pii.blind_index(person.phone, kind="phone")
        by_phone = list(Member.objects.filter(phone_index=index)[:2])
        if len(by_phone) == 1:
            return by_phone[0]
    return None


# --- consultations -----------------------------------------------------------------------------


@transaction.atomic
def consultation_create(
    *,
    org: UnionOrg,
    channel: str,
    topic: str,
    question: str,
    name: str,
    phone: str = "",
    employer_name: str = "",
    answer: str = "",
    duration_minutes: int | None = None,
    lawyer: Lawyer | None = None,
    appeal: Appeal | None = None,
    actor: Any = None,
    created_at: datetime | None = None,
) -> Consultation:
    _require_handler(actor)
    errors: dict[str, list[str]] = {}
    if channel not in ConsultationChannel.values:
        _fail(errors, "channel", _("Unknown channel."))
    if topic not in Topic.values:
        _fail(errors, "topic", _("Unknown topic."))
    question = _text(errors, "question", question, _("Enter the question."))
    person = _person(errors, name=name, phone=phone, phone_required=channel == "portal")
    if duration_minutes is not None and not 0 <= duration_minutes <= 24 * 60:
        _fail(errors, "duration_minutes", _("The duration must be between 0 and 1440 minutes."))
    if errors:
        raise ValidationError(errors)
    now = created_at or timezone.now()
    consultation = Consultation.objects.create(
        code=code_reserve(prefix=CONSULTATION_PREFIX, year=now.year),
        org=org,
        channel=channel,
        topic=topic,
        question=question,
        employer_name=normalize_text(employer_name)[:200],
        lawyer=lawyer,
        appeal=appeal,
        created_at=now,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        **person.protected(),
    )
    if answer.strip():
        consultation = consultation_answer(
            user=actor,
            consultation=consultation,
            answer=answer,
            duration_minutes=duration_minutes,
            lawyer=lawyer,
            answered_at=now,
        )
    if appeal is not None:
        _on_appeal_timeline(appeal, actor=actor)
    return consultation


@transaction.atomic
def consultation_answer(
    *,
    user: Any,
    consultation: Consultation,
    answer: str,
    duration_minutes: int | None = None,
    lawyer: Lawyer | None = None,
    answered_at: datetime | None = None,
) -> Consultation:
    _require_handler(user)
    errors: dict[str, list[str]] = {}
    answer = _text(errors, "answer", answer, _("Enter the answer."))
    if duration_minutes is not None and not 0 <= duration_minutes <= 24 * 60:
        _fail(errors, "duration_minutes", _("The duration must be between 0 and 1440 minutes."))
    if consultation.status == ConsultationStatus.CONVERTED:
        _fail(errors, "answer", _("This consultation has already become a case."))
    if errors:
        raise ValidationError(errors)
    consultation.answer = answer
    consultation.duration_minutes = duration_minutes
    consultation.lawyer = lawyer or consultation.lawyer or lawyer_of(user)
    consultation.status = ConsultationStatus.ANSWERED
    consultation.answered_at = answered_at or timezone.now()
    consultation.save()
    return consultation


def lawyer_of(user: Any) -> Lawyer | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return Lawyer.objects.filter(user=user).first()


TOPIC_TO_AID = {
    Topic.WAGES: AidCaseType.WAGES,
    Topic.CONTRACT: AidCaseType.CONTRACT,
    Topic.DISMISSAL: AidCaseType.DISMISSAL,
    Topic.SOCIAL_INSURANCE: AidCaseType.SOCIAL_INSURANCE,
    Topic.INJURY: AidCaseType.INJURY,
}
TOPIC_TO_CLAIM = {
    Topic.WAGES: ClaimType.WAGES,
    Topic.DISMISSAL: ClaimType.SEVERANCE,
    Topic.SOCIAL_INSURANCE: ClaimType.SOCIAL_INSURANCE,
    Topic.INJURY: ClaimType.INJURY,
    Topic.HOURS: ClaimType.OVERTIME,
}


def _consultation_phone(consultation: Consultation) -> str:
    return pii.decrypt(consultation.phone) if consultation.phone else ""


@transaction.atomic
def consultation_convert(
    *,
    user: Any,
    consultation: Consultation,
    into: str,
    dispute_type: str = "",
    rights_subtype: str = "",
    workers_involved: int = 1,
    amount: str = "0",
    hardship: bool = False,
) -> LegalAidCase | DisputeCase:
    """One action: the consultation becomes a legal-aid case or a dispute case (its worker,
    question, employer and appeal carried over) and is marked converted."""
    _require_handler(user)
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if consultation.status == ConsultationStatus.CONVERTED:
        raise ValidationError({"into": [_("This consultation has already become a case.")]})
    case: LegalAidCase | DisputeCase
    if into == "legal_aid":
        case = aid_apply(
            org=consultation.org,
            name=consultation.name,
            phone=_consultation_phone(consultation),
            case_type=TOPIC_TO_AID.get(Topic(consultation.topic), AidCaseType.OTHER),
            summary=consultation.question,
            employer_name=consultation.employer_name,
            hardship=hardship,
            amount_claimed=amount,
            channel=consultation.channel,
            consultation=consultation,
            appeal=consultation.appeal,
            actor=user,
        )
    elif into == "dispute":
        claim_type = TOPIC_TO_CLAIM.get(Topic(consultation.topic), ClaimType.OTHER)
        case = dispute_create(
            user=user,
            org=consultation.org,
            dispute_type=dispute_type,
            rights_subtype=rights_subtype,
            employer_name=consultation.employer_name or _("(employer not named)"),
            workers_involved=workers_involved,
            summary=consultation.question,
            claims=[{"type": claim_type, "amount": amount}],
            workers=[{"name": consultation.name, "phone": _consultation_phone(consultation)}],
            consultation=consultation,
            appeal=consultation.appeal,
        )
    else:
        raise ValidationError({"into": [_("Choose legal aid or a dispute case.")]})
    consultation.status = ConsultationStatus.CONVERTED
    consultation.save(update_fields=["status"])
    return case


# --- legal aid ---------------------------------------------------------------------------------

# Case types the union's legal aid covers: labour rights. Criminal and commercial matters go to
# the state legal-aid centre.
AID_CASE_TYPES = frozenset(
    {
        AidCaseType.WAGES,
        AidCaseType.DISMISSAL,
        AidCaseType.INJURY,
        AidCaseType.SOCIAL_INSURANCE,
        AidCaseType.CONTRACT,
        AidCaseType.OTHER,
    }
)


@dataclass(frozen=True)
class Reason:
    code: str  # membership, hardship, case_type
    passed: bool
    text: str


def aid_eligibility(*, is_member: bool, hardship: bool, case_type: str) -> list[Reason]:
    """The named reasons of the eligibility check; eligible when every one passed.

    Members are eligible for labour cases whatever their means; a worker who is not a member
    needs proven financial hardship. Criminal and commercial cases are not covered.
    """
    membership = Reason(
        "membership",
        True,
        _("Union member.") if is_member else _("Not a member: eligible only with hardship."),
    )
    means = Reason(
        "hardship",
        is_member or hardship,
        _("Financial hardship proven.")
        if hardship
        else _("No hardship needed for a member.")
        if is_member
        else _("No financial hardship proven."),
    )
    covered = case_type in AID_CASE_TYPES
    kind = Reason(
        "case_type",
        covered,
        _("A labour-rights case.")
        if covered
        else _("Not covered by the union's legal aid: refer to the state legal-aid centre."),
    )
    return [membership, means, kind]


@transaction.atomic
def aid_apply(
    *,
    org: UnionOrg,
    name: str,
    phone: str,
    case_type: str,
    summary: str,
    id_number: str = "",
    employer_name: str = "",
    hardship: bool = False,
    hardship_note: str = "",
    amount_claimed: Any = "0",
    channel: str = ConsultationChannel.WALK_IN,
    consultation: Consultation | None = None,
    appeal: Appeal | None = None,
    actor: Any = None,
    created_at: datetime | None = None,
) -> LegalAidCase:
    """A legal-aid application, checked for eligibility at once (the reasons are stored)."""
    _require_handler(actor)
    errors: dict[str, list[str]] = {}
    person = _person(errors, name=name, phone=phone, id_number=id_number)
    if case_type not in AidCaseType.values:
        _fail(errors, "case_type", _("Unknown case type."))
    summary = _text(errors, "summary", summary, _("Describe the case."))
    try:
        claimed = parse_amount(amount_claimed)
    except InvalidValue as exc:
        _fail(errors, "amount_claimed", str(exc))
    if errors:
        raise ValidationError(errors)
    member = _member_of(person)
    reasons = aid_eligibility(is_member=member is not None, hardship=hardship, case_type=case_type)
    now = created_at or timezone.now()
    return LegalAidCase.objects.create(
        code=code_reserve(prefix=AID_PREFIX, year=now.year),
        org=org,
        member=member,
        employer_name=normalize_text(employer_name)[:200],
        case_type=case_type,
        hardship=hardship,
        hardship_note=hardship_note.strip()[:500],
        summary=summary,
        eligible=all(r.passed for r in reasons),
        eligibility=[{"code": r.code, "passed": r.passed, "text": r.text} for r in reasons],
        amount_claimed=claimed,
        channel=channel,
        consultation=consultation,
        appeal=appeal,
        created_at=now,
        **person.protected(),
    )


def _aid_locked(case: LegalAidCase, allowed: tuple[str, ...]) -> LegalAidCase:
    locked = LegalAidCase.objects.select_for_update().get(pk=case.pk)
    if locked.status not in allowed:
        raise ValidationError(
            {"status": [_("Not possible while the case is “%(status)s”.") % {
                "status": locked.get_status_display()}]}
        )  # fmt: skip
    return locked


@transaction.atomic
def aid_review(*, user: Any, case: LegalAidCase, approve: bool, note: str = "") -> LegalAidCase:
    """Approve or reject an application. Approving one the check found ineligible, or
    rejecting an eligible one, needs a note saying why."""
    require(
        user, Capability.REVIEW_LEGAL_AID, _("Your role may not decide legal-aid applications.")
    )
    case = _aid_locked(case, (AidStatus.APPLIED,))
    note = note.strip()
    if approve != case.eligible and not note:
        raise ValidationError({"note": [_("Say why you decide against the eligibility check.")]})
    case.status = AidStatus.APPROVED if approve else AidStatus.REJECTED
    case.review_note = note
    case.reviewed_by = user
    case.reviewed_at = timezone.now()
    if not approve:
        case.closed_at = case.reviewed_at
    case.save()
    return case


@transaction.atomic
def aid_assign(*, user: Any, case: LegalAidCase, lawyer: Lawyer | None) -> LegalAidCase:
    require(user, Capability.REVIEW_LEGAL_AID, _("Your role may not assign lawyers."))
    if lawyer is None:
        raise ValidationError({"lawyer": [_("Choose a lawyer.")]})
    case = _aid_locked(case, (AidStatus.APPROVED, AidStatus.ASSIGNED, AidStatus.HANDLING))
    case.lawyer = lawyer
    if case.status == AidStatus.APPROVED:
        case.status = AidStatus.ASSIGNED
    case.save()
    return case


@transaction.atomic
def aid_handle(*, user: Any, case: LegalAidCase, note: str) -> LegalAidCase:
    _require_handler(user)
    case = _aid_locked(case, (AidStatus.ASSIGNED, AidStatus.HANDLING))
    note = note.strip()
    if not note:
        raise ValidationError({"note": [_("Describe what was done.")]})
    stamp = timezone.localtime().strftime("%Y-%m-%d")
    entry = f"{stamp} {_actor_name(user)}: {note}"
    case.handling_note = f"{case.handling_note}\n{entry}".strip()
    case.status = AidStatus.HANDLING
    case.save()
    return case


@transaction.atomic
def aid_close(
    *, user: Any, case: LegalAidCase, outcome: str, note: str = "", amount_recovered: Any = "0"
) -> LegalAidCase:
    _require_handler(user)
    case = _aid_locked(case, (AidStatus.ASSIGNED, AidStatus.HANDLING))
    errors: dict[str, list[str]] = {}
    if outcome not in AidOutcome.values:
        _fail(errors, "outcome", _("Choose the outcome."))
    try:
        recovered = parse_amount(amount_recovered)
    except InvalidValue as exc:
        _fail(errors, "amount_recovered", str(exc))
    if errors:
        raise ValidationError(errors)
    case.outcome = outcome
    case.outcome_note = note.strip()
    case.amount_recovered = recovered
    case.status = AidStatus.CLOSED
    case.closed_at = timezone.now()
    case.save()
    return case


# --- dispute cases -----------------------------------------------------------------------------


def major_reasons(*, workers_involved: int, amount: Decimal, from_alert: bool) -> list[str]:
    """Why a dispute is major (empty: it is not): ≥ N workers, amount over the threshold, or
    raised from an early-warning alert of the appeal line."""
    reasons = []
    if workers_involved >= settings.LEGAL_MAJOR_WORKERS:
        reasons.append("workers")
    if amount > settings.LEGAL_MAJOR_AMOUNT:
        reasons.append("amount")
    if from_alert:
        reasons.append("alert")
    return reasons


def _claims(errors: dict[str, list[str]], claims: list[dict[str, Any]]) -> list[Claim]:
    parsed = []
    for number, raw in enumerate(claims, start=1):
        claim_type = str(raw.get("type", ""))
        if claim_type not in ClaimType.values:
            _fail(errors, "claims", _("Claim %(n)d: unknown claim type.") % {"n": number})
            continue
        try:
            amount = parse_amount(raw.get("amount", "0"))
        except InvalidValue as exc:
            _fail(errors, "claims", _("Claim %(n)d: %(reason)s") % {"n": number, "reason": exc})
            continue
        parsed.append(Claim(type=claim_type, amount=amount))
    return parsed


def _team_for(org: UnionOrg) -> LawyerTeam | None:
    """The active lawyers' group of the case's org or of its nearest ancestor."""
    path: str = org.path
    prefixes = [path[:end] for end in range(len(path), 0, -UnionOrg.steplen)]
    teams = LawyerTeam.objects.filter(active=True, org__path__in=prefixes).select_related("org")
    return max(teams, key=lambda t: (len(t.org.path), -t.pk), default=None)


def _dispatch(case: DisputeCase, *, notify: bool = True) -> None:
    """Assign the lawyers' group and tell every one of its lawyers (SMS outbox)."""
    team = _team_for(case.org)
    if team is None:
        return
    case.team = team
    case.save(update_fields=["team"])
    lawyers = list(team.lawyers.filter(active=True))
    case.lawyers.add(*lawyers)
    for lawyer in lawyers:
        if not lawyer.phone or not notify:
            continue
        message_enqueue(
            template="legal_major_dispatch",
            phone=pii.decrypt(lawyer.phone),
            variables={
                "code": case.code,
                "employer": case.employer_name,
                "workers": str(case.workers_involved),
                "team": team.name,
            },
            reference=case.code,
        )


@transaction.atomic
def dispute_create(
    *,
    user: Any,
    org: UnionOrg,
    dispute_type: str,
    rights_subtype: str,
    summary: str,
    employer_name: str = "",
    employer_uscc: str = "",
    workers_involved: int = 1,
    claims: list[dict[str, Any]] | None = None,
    workers: list[dict[str, str]] | None = None,
    knew_on: date | None = None,
    appeal: Appeal | None = None,
    alert: Alert | None = None,
    consultation: Consultation | None = None,
    created_at: datetime | None = None,
    notify: bool = True,
) -> DisputeCase:
    """Record a dispute case, classified to its paths; a major one goes to the lawyers' group.
    `notify=False` assigns the group without texting it (loading past cases)."""
    _require_handler(user)
    errors: dict[str, list[str]] = {}
    try:
        recommended_paths(dispute_type, rights_subtype)
    except ValidationError as exc:
        errors.update({k: list(v) for k, v in exc.message_dict.items()})
    summary = _text(errors, "summary", summary, _("Describe the dispute."))
    employer: Employer | None = None
    if employer_uscc.strip():
        try:
            code = normalize_uscc(employer_uscc).code
        except InvalidValue as exc:
            _fail(errors, "employer_uscc", str(exc))
        else:
            employer = Employer.objects.filter(uscc=code).first()
            if employer is None and not employer_name.strip():
                employer_name = code
    employer_name = normalize_text(employer_name)[:200] or (employer.name if employer else "")
    if not employer_name:
        _fail(errors, "employer_name", _("Name the employer or give its credit code."))
    people = [
        _person(errors, name=w.get("name", ""), phone=w.get("phone", ""),
                phone_required=False, prefix=f"workers.{n}.")
        for n, w in enumerate(workers or [], start=1)
    ]  # fmt: skip
    workers_involved = max(workers_involved, len(people))
    if not 1 <= workers_involved <= WORKERS_MAX:
        _fail(errors, "workers_involved", _("Workers involved must be between 1 and 100 000."))
    parsed = _claims(errors, claims or [])
    if knew_on is not None and knew_on > timezone.localdate():
        _fail(errors, "knew_on", _("This date lies in the future."))
    if errors:
        raise ValidationError(errors)
    now = created_at or timezone.now()
    amount = sum((c.amount for c in parsed), Decimal(0))
    reasons = major_reasons(
        workers_involved=workers_involved, amount=amount, from_alert=alert is not None
    )
    paths = recommended_paths(dispute_type, rights_subtype)
    case = DisputeCase.objects.create(
        code=code_reserve(prefix=DISPUTE_PREFIX, year=now.year),
        org=org,
        employer=employer,
        employer_name=employer_name,
        summary=summary,
        dispute_type=dispute_type,
        rights_subtype=rights_subtype,
        workers_involved=workers_involved,
        chosen_path=paths[0] if len(paths) == 1 else "",
        is_major=bool(reasons),
        major_reasons=reasons,
        knew_on=knew_on,
        appeal=appeal,
        alert=alert,
        consultation=consultation,
        created_at=now,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    for claim in parsed:
        claim.case = case
    Claim.objects.bulk_create(parsed)
    DisputeWorker.objects.bulk_create(
        [DisputeWorker(case=case, member=_member_of(p), **p.protected()) for p in people]
    )
    lawyer = lawyer_of(user)
    if lawyer is not None:
        case.lawyers.add(lawyer)
    if case.is_major:
        _dispatch(case, notify=notify)
    if appeal is not None:
        _on_appeal_timeline(appeal, actor=user)
    return case


def _on_appeal_timeline(appeal: Appeal, *, actor: Any) -> None:
    """The appeal's history shows when and by whom it was passed to legal services. The case
    itself is named only in the legal card below it, to those who may open the case file."""
    next_status(ActionKind.LEGAL, appeal.status)  # a merged appeal is refused with the reason
    appeal_history_record(appeal, kind=ActionKind.LEGAL, actor=actor, from_status=appeal.status)


def _dispute_locked(case: DisputeCase) -> DisputeCase:
    locked = DisputeCase.objects.select_for_update().get(pk=case.pk)
    if locked.status == DisputeStatus.CLOSED:
        raise ValidationError({"status": [_("The case is closed.")]})
    return locked


@transaction.atomic
def dispute_step_add(
    *,
    user: Any,
    case: DisputeCase,
    path: str,
    on: date,
    outcome: str,
    who: str = "",
    note: str = "",
) -> CaseStep:
    """Record a step on a recommended path. The first mediation step starts the 15-day clock,
    the first arbitration step the 45-day award clock; a failed step moves the case on to the
    next recommended path (mediation failed → arbitration)."""
    _require_handler(user)
    case = _dispute_locked(case)
    errors: dict[str, list[str]] = {}
    paths = recommended_paths(case.dispute_type, case.rights_subtype)
    if path not in paths:
        labels = ", ".join(str(ResolutionPath(p).label) for p in paths)
        _fail(errors, "path", _("This dispute is resolved by: %(paths)s.") % {"paths": labels})
    if outcome not in StepOutcome.values:
        _fail(errors, "outcome", _("Choose the outcome of the step."))
    if on > timezone.localdate():
        _fail(errors, "on", _("This date lies in the future."))
    if on < timezone.localtime(case.created_at).date():
        _fail(errors, "on", _("The step cannot be before the case was accepted."))
    if len(note) > TEXT_MAX:
        _fail(errors, "note", _("Too long (at most 5000 characters)."))
    if errors:
        raise ValidationError(errors)
    step = CaseStep.objects.create(
        case=case,
        path=path,
        on=on,
        who=" ".join(who.split())[:100] or _actor_name(user),
        outcome=outcome,
        note=note.strip(),
        recorded_by=user if getattr(user, "is_authenticated", False) else None,
    )
    case.chosen_path = path
    if path == ResolutionPath.MEDIATION and case.mediation_applied_on is None:
        case.mediation_applied_on = on
    if path == ResolutionPath.ARBITRATION and case.arbitration_accepted_on is None:
        case.arbitration_accepted_on = on
    if outcome == StepOutcome.FAILED:
        case.chosen_path = next_path(case.dispute_type, case.rights_subtype, path) or path
    case.save()
    return step


@transaction.atomic
def dispute_dates_set(
    *,
    user: Any,
    case: DisputeCase,
    knew_on: date | None,
    mediation_applied_on: date | None,
    arbitration_accepted_on: date | None,
    award_extended: bool,
) -> DisputeCase:
    """The dates the statutory clocks run from; the award period is extended at most once."""
    _require_handler(user)
    case = _dispute_locked(case)
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    for field, value in (
        ("knew_on", knew_on),
        ("mediation_applied_on", mediation_applied_on),
        ("arbitration_accepted_on", arbitration_accepted_on),
    ):
        if value is not None and value > today:
            _fail(errors, field, _("This date lies in the future."))
    if award_extended and arbitration_accepted_on is None:
        _fail(errors, "award_extended", _("Only an accepted arbitration can be extended."))
    if case.award_extended and not award_extended:
        _fail(errors, "award_extended", _("The award period was already extended once."))
    if errors:
        raise ValidationError(errors)
    case.knew_on = knew_on
    case.mediation_applied_on = mediation_applied_on
    case.arbitration_accepted_on = arbitration_accepted_on
    case.award_extended = award_extended
    case.save()
    return case


@transaction.atomic
def dispute_close(
    *,
    user: Any,
    case: DisputeCase,
    outcome: str,
    amount_agreed: Any = "0",
    amount_recovered: Any = "0",
    performed: bool | None = None,
    note: str = "",
) -> DisputeCase:
    """Close with the outcome. A successful mediation states the agreed amount and whether
    the agreement was performed; a referral goes to the labour inspection (illegal conduct)."""
    _require_handler(user)
    case = _dispute_locked(case)
    errors: dict[str, list[str]] = {}
    if outcome not in DisputeOutcome.values:
        _fail(errors, "outcome", _("Choose the outcome."))
    agreed = recovered = Decimal(0)
    try:
        agreed = parse_amount(amount_agreed)
    except InvalidValue as exc:
        _fail(errors, "amount_agreed", str(exc))
    try:
        recovered = parse_amount(amount_recovered)
    except InvalidValue as exc:
        _fail(errors, "amount_recovered", str(exc))
    if outcome == DisputeOutcome.MEDIATED:
        paths = recommended_paths(case.dispute_type, case.rights_subtype)
        if ResolutionPath.MEDIATION not in paths:
            _fail(errors, "outcome", _("Only a contested rights dispute is mediated."))
        if performed is None:
            _fail(errors, "performed", _("Say whether the agreement was performed."))
    if errors:
        raise ValidationError(errors)
    case.outcome = outcome
    case.amount_agreed = agreed
    case.amount_recovered = recovered
    case.agreement_performed = performed if outcome == DisputeOutcome.MEDIATED else None
    case.outcome_note = note.strip()
    if outcome == DisputeOutcome.MEDIATED:
        case.chosen_path = ResolutionPath.MEDIATION
    case.status = DisputeStatus.CLOSED
    case.closed_at = timezone.now()
    case.save()
    return case


@transaction.atomic
def dispute_lawyer_assign(*, user: Any, case: DisputeCase, lawyer: Lawyer | None) -> DisputeCase:
    require(user, Capability.REVIEW_LEGAL_AID, _("Your role may not assign lawyers."))
    if lawyer is None:
        raise ValidationError({"lawyer": [_("Choose a lawyer.")]})
    case = _dispute_locked(case)
    case.lawyers.add(lawyer)
    return case


# --- mediation centres and rooms (service points of gonghui.places) -----------------------------


def on_branch(org: UnionOrg, of: UnionOrg) -> bool:
    """Whether `org` is `of`, above it or below it: a case or a mediator of a community belongs
    with its street's mediation room and its district's and the city's centres."""
    path: str = org.path
    other: str = of.path
    return path.startswith(other) or other.startswith(path)


def mediation_place_check(*, place: ServicePoint, org: UnionOrg, field: str = "place") -> None:
    """Refuse a service point that is no mediation centre or room, is closed down, or lies off
    the branch of `org` (the case's or the mediator's union)."""
    names = {"name": place.name, "org": org.name}
    if place.kind not in MEDIATION_KINDS:
        message = _("%(name)s is not a mediation centre or room.") % names
    elif place.status == PointStatus.CLOSED:
        message = _("%(name)s is closed down.") % names
    elif not on_branch(place.org, org):
        message = _(
            "%(name)s is outside the scope of %(org)s: choose a mediation centre or room of "
            "this union, of a union above it or of one below it."
        ) % names  # fmt: skip
    else:
        return
    raise ValidationError({field: [message]})


@transaction.atomic
def dispute_mediation_assign(
    *, user: Any, case: DisputeCase, mediator: Mediator | None, place: ServicePoint | None
) -> DisputeCase:
    """Give the case a mediator and the mediation centre or room it is mediated in (without a
    place chosen, the mediator's own); both from the branch of the case's union."""
    _require_handler(user)
    case = _dispute_locked(case)
    if mediator is None and place is None:
        raise ValidationError({"place": [_("Choose a mediator or a mediation centre or room.")]})
    if mediator is not None:
        if not mediator.active:
            raise ValidationError({"mediator": [_("This mediator is no longer active.")]})
        if not on_branch(mediator.org, case.org):
            message = _("%(name)s mediates outside the scope of %(org)s.")
            raise ValidationError(
                {"mediator": [message % {"name": mediator.name, "org": case.org.name}]}
            )
        if place is None and mediator.place is not None:
            place = mediator.place
    if place is not None:
        mediation_place_check(place=place, org=case.org)
    case.mediator = mediator or case.mediator
    case.place = place or case.place
    case.save(update_fields=["mediator", "place"])
    return case


# --- links with the appeal line ----------------------------------------------------------------

APPEAL_TOPICS = {
    "wage_arrears": Topic.WAGES,
    "social_insurance": Topic.SOCIAL_INSURANCE,
    "labour_contract": Topic.CONTRACT,
    "dismissal": Topic.DISMISSAL,
    "work_injury": Topic.INJURY,
}


@transaction.atomic
def appeal_to_legal(
    *,
    user: Any,
    appeal: Appeal,
    into: str,
    dispute_type: str = "",
    rights_subtype: str = "",
) -> Consultation | DisputeCase:
    """An appeal becomes a consultation or a dispute case of the appeal's org, linked both ways
    (the appeal's page lists it). A dispute from an appeal with an open alert is major."""
    _require_handler(user)
    phone = pii.decrypt(appeal.phone) if appeal.phone else ""
    if into == "consultation":
        return consultation_create(
            org=appeal.org,
            channel=ConsultationChannel.APPEAL,
            topic=APPEAL_TOPICS.get(appeal.category.code, Topic.OTHER),
            question=appeal.content,
            name=appeal.name,
            phone=phone,
            employer_name=appeal.employer_name,
            appeal=appeal,
            actor=user,
        )
    if into != "dispute":
        raise ValidationError({"into": [_("Choose a consultation or a dispute case.")]})
    alert = appeal.alerts.order_by("-raised_at").first()
    return dispute_create(
        user=user,
        org=appeal.org,
        dispute_type=dispute_type,
        rights_subtype=rights_subtype,
        summary=appeal.content,
        employer_name=appeal.employer_name
        or (appeal.employer.name if appeal.employer else _("(employer not named)")),
        employer_uscc=appeal.employer.uscc if appeal.employer else "",
        workers_involved=appeal.workers_involved,
        workers=[{"name": appeal.name, "phone": phone}],
        appeal=appeal,
        alert=alert,
    )


# --- confidentiality ---------------------------------------------------------------------------


def case_file_opened(
    *, user: Any, case: DisputeCase | LegalAidCase, request: HttpRequest | None, what: str
) -> None:
    """Every opening of a case file (page, API, document) goes to the audit log."""
    audit_record(
        actor=user,
        action=AuditAction.REVEAL,
        target=case,
        reason=_("Case file opened"),
        detail={"case": case.code, "what": what},
        request=request,
    )


# --- documents ---------------------------------------------------------------------------------


@transaction.atomic
def document_generate(*, user: Any, case: DisputeCase, kind: str) -> CaseDocument:
    """Render the document as PDF and store it with the case (replacing the previous one)."""
    from gonghui.legal.documents import render_pdf

    _require_handler(user)
    if kind not in DocumentKind.values:
        raise ValidationError({"kind": [_("Unknown document.")]})
    if kind == DocumentKind.AGREEMENT and case.outcome != DisputeOutcome.MEDIATED:
        raise ValidationError(
            {"kind": [_("A mediation agreement needs a case closed as mediated successfully.")]}
        )
    if kind == DocumentKind.REFERRAL and not (
        case.dispute_type == DisputeType.RIGHTS and case.rights_subtype == RightsSubtype.ILLEGAL
    ):
        raise ValidationError(
            {"kind": [_("Only illegal conduct is referred to the labour inspection.")]}
        )
    pdf = render_pdf(case=case, kind=kind)
    document = CaseDocument.objects.select_for_update().filter(case=case, kind=kind).first()
    if document is None:
        document = CaseDocument(case=case, kind=kind)
    elif document.file:
        document.file.delete(save=False)
    document.token = secrets.token_hex(8)
    document.generated_at = timezone.now()
    document.generated_by = user if getattr(user, "is_authenticated", False) else None
    document.file.save(f"{kind}.pdf", ContentFile(pdf), save=False)
    document.save()
    return document


def can_handle_legal(user: Any) -> bool:
    return can(user, Capability.HANDLE_LEGAL)


def can_review_legal_aid(user: Any) -> bool:
    return can(user, Capability.REVIEW_LEGAL_AID)


# --- the worker's portal -----------------------------------------------------------------------


@transaction.atomic
def portal_request(
    *,
    kind: str,
    name: str,
    phone: str,
    topic: str,
    question: str,
    employer_name: str = "",
    hardship: bool = False,
    language: str = "zh-hans",
) -> Consultation | LegalAidCase:
    """A worker asks for a consultation or legal aid; taken in by the top of the tree and
    confirmed by SMS with the lookup code."""
    top = UnionOrg.objects.get_root_nodes().first()
    if top is None:
        raise RuntimeError("no union tree: import the orgs first")
    record: Consultation | LegalAidCase
    if kind == "legal_aid":
        if topic not in Topic.values:
            raise ValidationError({"topic": [_("Unknown topic.")]})
        record = aid_apply(
            org=top,
            name=name,
            phone=phone,
            case_type=TOPIC_TO_AID.get(Topic(topic), AidCaseType.OTHER),
            summary=question,
            employer_name=employer_name,
            hardship=hardship,
            channel=ConsultationChannel.PORTAL,
        )
    elif kind == "consultation":
        record = consultation_create(
            org=top,
            channel=ConsultationChannel.PORTAL,
            topic=topic,
            question=question,
            name=name,
            phone=phone,
            employer_name=employer_name,
        )
    else:
        raise ValidationError({"kind": [_("Choose a consultation or legal aid.")]})
    message_enqueue(
        template="legal_request_received",
        phone=pii.decrypt(record.phone),
        variables={"code": record.code},
        language=language,
        reference=record.code,
    )
    return record
