"""Legal services: providers, consultations, legal aid and labour-dispute cases.

Every row belongs to a union org (`scope_path`) and is read through gonghui.core.scoping;
lawyers see only what they are assigned to (gonghui.legal.selectors). Phones and ID numbers
are stored like the registry's: encrypted, found by blind index, shown masked. Mediation
centres and rooms are service points of gonghui.places (its two mediation kinds).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gonghui.appeals.models import Alert, Appeal
from gonghui.core.pii import EncryptedTextField
from gonghui.members.models import Member
from gonghui.orgs.models import Employer, UnionOrg
from gonghui.places.models import MEDIATION_KINDS, ServicePoint

MONEY = {"max_digits": 14, "decimal_places": 2}


class Specialty(models.TextChoices):
    LABOUR = "labour", _("Labour disputes")
    WAGES = "wages", _("Wages and overtime")
    SOCIAL_INSURANCE = "social_insurance", _("Social insurance")
    INJURY = "injury", _("Work injury")
    CONTRACT = "contract", _("Labour contracts")
    COLLECTIVE = "collective", _("Collective negotiation")
    CIVIL = "civil", _("Civil and family")


class LawFirm(models.Model):
    """A law firm whose services a federation (`org`) buys (购买法律服务)."""

    scope_path = "org__path"

    name = models.CharField(_("name"), max_length=200)
    org = models.ForeignKey(
        UnionOrg, on_delete=models.PROTECT, related_name="+", verbose_name=_("buying federation")
    )
    contract_start = models.DateField(_("service contract from"))
    contract_end = models.DateField(_("service contract until"))
    service_scope = models.TextField(_("scope of services"), blank=True)
    contract_value = models.DecimalField(_("contract value (yuan)"), default=Decimal(0), **MONEY)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("law firm")
        verbose_name_plural = _("law firms")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Lawyer(models.Model):
    """A lawyer of a purchased firm; `user` is the lawyer's login (role lawyer), if any."""

    scope_path = "firm__org__path"

    firm = models.ForeignKey(
        LawFirm, on_delete=models.PROTECT, related_name="lawyers", verbose_name=_("law firm")
    )
    name = models.CharField(_("name"), max_length=50)
    licence_number = models.CharField(_("licence number"), max_length=32, unique=True)
    specialties = models.JSONField(_("specialties"), default=list, blank=True)
    phone = EncryptedTextField(_("mobile phone (encrypted)"), blank=True)
    phone_masked = models.CharField(_("mobile phone"), max_length=11, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lawyer",
        verbose_name=_("login"),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("lawyer")
        verbose_name_plural = _("lawyers")
        ordering = ["firm__name", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def specialty_labels(self) -> list[str]:
        labels = dict(Specialty.choices)
        return [str(labels.get(code, code)) for code in self.specialties]


class DutyShift(models.TextChoices):
    MORNING = "am", _("Morning")
    AFTERNOON = "pm", _("Afternoon")
    FULL_DAY = "day", _("Full day")


class DutyRoster(models.Model):
    """A lawyer on duty for the 12351 legal line on one day."""

    scope_path = "lawyer__firm__org__path"

    lawyer = models.ForeignKey(
        Lawyer, on_delete=models.CASCADE, related_name="duties", verbose_name=_("lawyer")
    )
    day = models.DateField(_("day"))
    shift = models.CharField(_("shift"), max_length=3, choices=DutyShift.choices)

    class Meta:
        verbose_name = _("duty roster entry")
        verbose_name_plural = _("duty roster")
        ordering = ["day", "shift", "lawyer__name"]
        constraints = [
            models.UniqueConstraint(fields=["lawyer", "day", "shift"], name="legal_duty_once")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.shift} {self.lawyer}"


# Mediation centres (city, district) and rooms (streets) are service points of gonghui.places;
# a place is chosen among these kinds, on the branch of the mediator's or the case's org
# (gonghui.legal.services.mediation_place_check).
MEDIATION_PLACES = {"kind__in": MEDIATION_KINDS}


class Mediator(models.Model):
    scope_path = "org__path"

    org = models.ForeignKey(
        UnionOrg, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    place = models.ForeignKey(
        ServicePoint,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        limit_choices_to=MEDIATION_PLACES,
        related_name="mediators",
        verbose_name=_("mediation centre or room"),
    )
    name = models.CharField(_("name"), max_length=50)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mediator",
        verbose_name=_("login"),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("mediator")
        verbose_name_plural = _("mediators")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class LawyerTeam(models.Model):
    """A lawyers' group (律师团) of a federation, dispatched to major disputes."""

    scope_path = "org__path"

    org = models.ForeignKey(
        UnionOrg, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    name = models.CharField(_("name"), max_length=100)
    lawyers = models.ManyToManyField(Lawyer, related_name="teams", verbose_name=_("lawyers"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("lawyers' group")
        verbose_name_plural = _("lawyers' groups")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# --- consultations ------------------------------------------------------------------------------


class ConsultationChannel(models.TextChoices):
    HOTLINE = "hotline", _("12351 legal line")
    APPEAL = "appeal", _("From an appeal")
    WALK_IN = "walk_in", _("Walk-in")
    PORTAL = "portal", _("Workers' portal")


class Topic(models.TextChoices):
    WAGES = "wages", _("Wages and overtime")
    CONTRACT = "contract", _("Labour contract")
    DISMISSAL = "dismissal", _("Dismissal and severance")
    SOCIAL_INSURANCE = "social_insurance", _("Social insurance")
    INJURY = "injury", _("Work injury")
    HOURS = "hours", _("Working hours and leave")
    OTHER = "other", _("Other")


class ConsultationStatus(models.TextChoices):
    OPEN = "open", _("Awaiting an answer")
    ANSWERED = "answered", _("Answered")
    CONVERTED = "converted", _("Became a case")


class PersonFields(models.Model):
    """The worker a record is about: name, phone and ID number protected as in the registry."""

    name = models.CharField(_("name"), max_length=50)
    phone = EncryptedTextField(_("mobile phone (encrypted)"), blank=True)
    phone_index = models.CharField(_("phone index"), max_length=32, blank=True, db_index=True)
    phone_masked = models.CharField(_("mobile phone"), max_length=11, blank=True)

    class Meta:
        abstract = True


class Consultation(PersonFields):
    scope_path = "org__path"

    code = models.CharField(_("lookup code"), max_length=20, unique=True)
    org = models.ForeignKey(
        UnionOrg, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    channel = models.CharField(_("channel"), max_length=12, choices=ConsultationChannel.choices)
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices)
    question = models.TextField(_("question"))
    answer = models.TextField(_("answer"), blank=True)
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), null=True, blank=True)
    lawyer = models.ForeignKey(
        Lawyer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consultations",
        verbose_name=_("lawyer"),
    )
    appeal = models.ForeignKey(
        Appeal,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="legal_consultations",
        verbose_name=_("appeal"),
    )
    employer_name = models.CharField(_("employer"), max_length=200, blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ConsultationStatus.choices,
        default=ConsultationStatus.OPEN,
    )
    created_at = models.DateTimeField(_("received at"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("taken by"),
    )

    class Meta:
        verbose_name = _("legal consultation")
        verbose_name_plural = _("legal consultations")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["org", "created_at"], name="legal_consult_org_time")]

    def __str__(self) -> str:
        return self.code


# --- legal aid ---------------------------------------------------------------------------------


class AidCaseType(models.TextChoices):
    WAGES = "wages", _("Unpaid wages")
    DISMISSAL = "dismissal", _("Unlawful dismissal")
    INJURY = "injury", _("Work injury")
    SOCIAL_INSURANCE = "social_insurance", _("Social insurance")
    CONTRACT = "contract", _("Labour contract")
    CRIMINAL = "criminal", _("Criminal defence")
    COMMERCIAL = "commercial", _("Commercial dispute")
    OTHER = "other", _("Other")


class AidStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    ASSIGNED = "assigned", _("Lawyer assigned")
    HANDLING = "handling", _("Being handled")
    CLOSED = "closed", _("Closed")


class AidOutcome(models.TextChoices):
    WON = "won", _("Won or settled in the worker's favour")
    PARTLY = "partly", _("Partly won")
    LOST = "lost", _("Lost")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REFERRED = "referred", _("Referred elsewhere")


class LegalAidCase(PersonFields):
    scope_path = "org__path"

    code = models.CharField(_("lookup code"), max_length=20, unique=True)
    org = models.ForeignKey(
        UnionOrg, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    id_number = EncryptedTextField(_("resident ID number (encrypted)"), blank=True)
    id_number_index = models.CharField(_("ID number index"), max_length=32, blank=True)
    id_number_masked = models.CharField(_("resident ID number"), max_length=18, blank=True)
    member = models.ForeignKey(
        Member,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("member"),
    )
    employer_name = models.CharField(_("employer"), max_length=200, blank=True)
    case_type = models.CharField(_("case type"), max_length=20, choices=AidCaseType.choices)
    hardship = models.BooleanField(_("financial hardship"), default=False)
    hardship_note = models.CharField(_("hardship evidence"), max_length=500, blank=True)
    summary = models.TextField(_("summary"))
    eligible = models.BooleanField(_("eligible"), default=False)
    eligibility = models.JSONField(_("eligibility check"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=AidStatus.choices, default=AidStatus.APPLIED
    )
    review_note = models.TextField(_("review note"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    lawyer = models.ForeignKey(
        Lawyer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="aid_cases",
        verbose_name=_("lawyer"),
    )
    handling_note = models.TextField(_("handling"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=AidOutcome.choices, blank=True)
    outcome_note = models.TextField(_("outcome note"), blank=True)
    amount_claimed = models.DecimalField(_("amount claimed"), default=Decimal(0), **MONEY)
    amount_recovered = models.DecimalField(_("amount recovered"), default=Decimal(0), **MONEY)
    consultation = models.ForeignKey(
        Consultation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="aid_cases",
        verbose_name=_("consultation"),
    )
    appeal = models.ForeignKey(
        Appeal,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="legal_aid_cases",
        verbose_name=_("appeal"),
    )
    channel = models.CharField(
        _("channel"),
        max_length=12,
        choices=ConsultationChannel.choices,
        default=ConsultationChannel.WALK_IN,
    )
    created_at = models.DateTimeField(_("applied at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("legal-aid case")
        verbose_name_plural = _("legal-aid cases")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.code


# --- dispute cases -----------------------------------------------------------------------------


class DisputeType(models.TextChoices):
    RIGHTS = "rights", _("Rights dispute (statutory claim)")
    INTEREST = "interest", _("Interest dispute (claim beyond statute)")


class RightsSubtype(models.TextChoices):
    ILLEGAL = "illegal", _("Illegal conduct")
    CONTESTED = "contested", _("Contested")


class ResolutionPath(models.TextChoices):
    ADMINISTRATIVE_SUPERVISION = (
        "administrative_supervision",
        _("Administrative supervision (labour inspection)"),
    )
    NEGOTIATION = "negotiation", _("Negotiation")
    MEDIATION = "mediation", _("Mediation")
    ARBITRATION = "arbitration", _("Arbitration")
    LITIGATION = "litigation", _("Litigation")
    COLLECTIVE_NEGOTIATION = "collective_negotiation", _("Collective negotiation platform")


class ClaimType(models.TextChoices):
    WAGES = "wages", _("Unpaid wages")
    OVERTIME = "overtime", _("Overtime pay")
    SEVERANCE = "severance", _("Severance / compensation")
    SOCIAL_INSURANCE = "social_insurance", _("Social insurance")
    INJURY = "injury", _("Work-injury benefits")
    PAY_RISE = "pay_rise", _("Pay rise / better conditions")
    OTHER = "other", _("Other")


class DisputeStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class DisputeOutcome(models.TextChoices):
    MEDIATED = "mediated", _("Mediated successfully")
    SETTLED = "settled", _("Settled by negotiation")
    AWARDED = "awarded", _("Decided by award or judgment")
    CORRECTED = "corrected", _("Corrected by the labour inspection")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REFERRED = "referred", _("Referred")


class DisputeCase(models.Model):
    scope_path = "org__path"

    code = models.CharField(_("case number"), max_length=20, unique=True)
    org = models.ForeignKey(
        UnionOrg, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    employer = models.ForeignKey(
        Employer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("employer"),
    )
    employer_name = models.CharField(_("employer"), max_length=200)
    summary = models.TextField(_("summary"))
    dispute_type = models.CharField(_("dispute type"), max_length=10, choices=DisputeType.choices)
    rights_subtype = models.CharField(
        _("rights subtype"), max_length=10, choices=RightsSubtype.choices, blank=True
    )
    workers_involved = models.PositiveIntegerField(_("workers involved"), default=1)
    chosen_path = models.CharField(
        _("chosen path"), max_length=30, choices=ResolutionPath.choices, blank=True
    )
    status = models.CharField(
        _("status"), max_length=8, choices=DisputeStatus.choices, default=DisputeStatus.OPEN
    )
    is_major = models.BooleanField(_("major dispute"), default=False)
    major_reasons = models.JSONField(_("why major"), default=list, blank=True)
    team = models.ForeignKey(
        LawyerTeam,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("lawyers' group"),
    )
    lawyers = models.ManyToManyField(
        Lawyer, blank=True, related_name="dispute_cases", verbose_name=_("assigned lawyers")
    )
    mediator = models.ForeignKey(
        Mediator,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("mediator"),
    )
    place = models.ForeignKey(
        ServicePoint,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        limit_choices_to=MEDIATION_PLACES,
        related_name="dispute_cases",
        verbose_name=_("mediation centre or room"),
    )
    knew_on = models.DateField(_("worker knew of the infringement on"), null=True, blank=True)
    mediation_applied_on = models.DateField(_("mediation applied for on"), null=True, blank=True)
    arbitration_accepted_on = models.DateField(_("arbitration accepted on"), null=True, blank=True)
    award_extended = models.BooleanField(_("award period extended by 15 days"), default=False)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=DisputeOutcome.choices, blank=True
    )
    outcome_note = models.TextField(_("outcome note"), blank=True)
    amount_agreed = models.DecimalField(_("amount agreed"), default=Decimal(0), **MONEY)
    amount_recovered = models.DecimalField(_("amount recovered"), default=Decimal(0), **MONEY)
    agreement_performed = models.BooleanField(_("agreement performed"), null=True, blank=True)
    alert = models.ForeignKey(
        Alert,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("early-warning alert"),
    )
    appeal = models.ForeignKey(
        Appeal,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="dispute_cases",
        verbose_name=_("appeal"),
    )
    consultation = models.ForeignKey(
        Consultation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="dispute_cases",
        verbose_name=_("consultation"),
    )
    created_at = models.DateTimeField(_("accepted at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        verbose_name = _("labour-dispute case")
        verbose_name_plural = _("labour-dispute cases")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["org", "created_at"], name="legal_dispute_org_time"),
            models.Index(fields=["status", "is_major"], name="legal_dispute_status_major"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def amount_claimed(self) -> Decimal:
        return sum((c.amount for c in self.claims.all()), Decimal(0))


class DisputeWorker(PersonFields):
    scope_path = "case__org__path"

    case = models.ForeignKey(
        DisputeCase, on_delete=models.CASCADE, related_name="workers", verbose_name=_("case")
    )
    member = models.ForeignKey(
        Member,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("member"),
    )

    class Meta:
        verbose_name = _("worker of a dispute")
        verbose_name_plural = _("workers of a dispute")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class Claim(models.Model):
    scope_path = "case__org__path"

    case = models.ForeignKey(
        DisputeCase, on_delete=models.CASCADE, related_name="claims", verbose_name=_("case")
    )
    type = models.CharField(_("claim type"), max_length=20, choices=ClaimType.choices)
    amount = models.DecimalField(_("amount"), **MONEY)

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.amount}"


class StepOutcome(models.TextChoices):
    ONGOING = "ongoing", _("In progress")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class CaseStep(models.Model):
    """One step on a dispute's path: when, who, what came of it."""

    scope_path = "case__org__path"

    case = models.ForeignKey(
        DisputeCase, on_delete=models.CASCADE, related_name="steps", verbose_name=_("case")
    )
    path = models.CharField(_("path"), max_length=30, choices=ResolutionPath.choices)
    on = models.DateField(_("date"))
    who = models.CharField(_("who"), max_length=100)
    outcome = models.CharField(_("outcome"), max_length=10, choices=StepOutcome.choices)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("case step")
        verbose_name_plural = _("case steps")
        ordering = ["on", "pk"]

    def __str__(self) -> str:
        return f"{self.on} {self.path} {self.outcome}"


class DocumentKind(models.TextChoices):
    AGREEMENT = "agreement", _("Mediation agreement")
    REFERRAL = "referral", _("Referral letter to the labour inspection")
    SUMMARY = "summary", _("Case summary")


def _document_path(instance: "CaseDocument", filename: str) -> str:
    return f"legal/{instance.case_id}/{instance.kind}-{instance.token}.pdf"


class CaseDocument(models.Model):
    """A generated PDF stored with its case; generating again replaces it."""

    scope_path = "case__org__path"

    case = models.ForeignKey(
        DisputeCase, on_delete=models.CASCADE, related_name="documents", verbose_name=_("case")
    )
    kind = models.CharField(_("document"), max_length=10, choices=DocumentKind.choices)
    token = models.CharField(max_length=32)
    file = models.FileField(_("file"), upload_to=_document_path)
    generated_at = models.DateTimeField(_("generated at"))
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("generated by"),
    )

    class Meta:
        verbose_name = _("case document")
        verbose_name_plural = _("case documents")
        constraints = [
            models.UniqueConstraint(fields=["case", "kind"], name="legal_document_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"
