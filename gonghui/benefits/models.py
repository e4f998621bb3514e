"""Member benefits: service items, segments, subsidy programmes, purchased projects, events."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gonghui.members.models import Member
from gonghui.orgs.models import UnionOrg


class MemberProfile(models.Model):
    """What benefits need to know of a member beyond the registry (segments' flags)."""

    scope_path = "member__org__path"

    member = models.OneToOneField(
        Member,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="benefit_profile",
        verbose_name=_("member"),
    )
    outdoor_worker = models.BooleanField(_("outdoor worker"), default=False)
    high_skill = models.BooleanField(_("high education/title/income (三高)"), default=False)
    hardship = models.BooleanField(_("in hardship"), default=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("member benefit profile")
        verbose_name_plural = _("member benefit profiles")

    def __str__(self) -> str:
        return str(self.member)


class Segment(models.Model):
    """A saved rule over members; `rules` holds the criteria (see `segments.segment_q`)."""

    scope_path = "org__path"

    org = models.ForeignKey(
        UnionOrg, on_delete=models.PROTECT, related_name="+", verbose_name=_("owning union")
    )
    name = models.CharField(_("name"), max_length=100)
    rules = models.JSONField(_("rules"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        constraints = [models.UniqueConstraint(fields=["org", "name"], name="segment_name_per_org")]

    def __str__(self) -> str:
        return self.name


class ItemCategory(models.TextChoices):
    LEGAL = "legal", _("Legal services")
    MUTUAL_AID = "mutual_aid", _("Mutual aid and insurance")
    HEALTH = "health", _("Health")
    CULTURE_SPORT = "culture_sport", _("Culture and sport")
    TRAINING = "training", _("Training")
    WOMEN_CHILDCARE = "women_childcare", _("Women and childcare")
    MATCHMAKING = "matchmaking", _("Matchmaking")
    HOUSING = "housing", _("Housing")
    CANTEEN = "canteen", _("Canteen")
    RECUPERATION = "recuperation", _("Recuperation")
    COUNSELLING = "counselling", _("Counselling (EAP)")
    READING = "reading", _("Reading")
    DISCOUNTS = "discounts", _("Discounts")


class ProviderKind(models.TextChoices):
    UNION = "union", _("Union organisation")
    SOCIAL_ORG = "social_org", _("Social organisation")
    MERCHANT = "merchant", _("Merchant")


class ServiceItem(models.Model):
    """A benefit or service (服务项目).

    `on_card`: carried on the member cards of `org`'s subtree.
    """

    scope_path = "org__path"

    org = models.ForeignKey(
        UnionOrg, on_delete=models.PROTECT, related_name="+", verbose_name=_("offering union")
    )
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=20, choices=ItemCategory.choices)
    provider_kind = models.CharField(
        _("provider"), max_length=12, choices=ProviderKind.choices, default=ProviderKind.UNION
    )
    provider_name = models.CharField(_("provider name"), max_length=200, blank=True)
    segment = models.ForeignKey(
        Segment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("eligible members"),
        help_text=_("Empty: every member."),
    )
    how_to_use = models.TextField(_("how to use"), blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    on_card = models.BooleanField(_("carried on the member card"), default=False)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("service item")
        verbose_name_plural = _("service items")
        constraints = [models.UniqueConstraint(fields=["org", "name"], name="item_name_per_org")]

    def __str__(self) -> str:
        return self.name


# --- subsidy programmes -------------------------------------------------------------------------


class Occupation(models.Model):
    """A listed occupation of the national vocational qualification catalogue."""

    code = models.CharField(_("occupation code"), max_length=16, unique=True)
    name = models.CharField(_("occupation"), max_length=100)

    class Meta:
        verbose_name = _("occupation")
        verbose_name_plural = _("occupations")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class SubsidyProgramme(models.Model):
    """A subsidy programme (e.g. 职业发展助推计划): period, budget, rules, amount per level."""

    scope_path = "org__path"

    org = models.ForeignKey(
        UnionOrg, on_delete=models.PROTECT, related_name="+", verbose_name=_("running union")
    )
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    budget = models.DecimalField(_("budget (yuan)"), max_digits=14, decimal_places=2)
    # {"1": "2000", "2": "1000"}: certificate level → amount in yuan.
    levels = models.JSONField(_("amount by level"), default=dict)
    min_member_months = models.PositiveSmallIntegerField(
        _("minimum months of active membership"), default=0
    )
    occupations = models.ManyToManyField(
        Occupation, related_name="programmes", verbose_name=_("listed occupations"), blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("subsidy programme")
        verbose_name_plural = _("subsidy programmes")

    def __str__(self) -> str:
        return self.name


class SubsidyStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting review")
    RETURNED = "returned", _("Returned for correction")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    PAID = "paid", _("Paid")


class SubsidyChannel(models.TextChoices):
    PORTAL = "portal", _("Workers' portal")
    PAPER = "paper", _("Paper application (entered by staff)")


class PaymentBatch(models.Model):
    """Approved applications handed to the bank in one file, then marked paid."""

    scope_path = "org__path"

    programme = models.ForeignKey(
        SubsidyProgramme, on_delete=models.PROTECT, related_name="batches"
    )
    org = models.ForeignKey(
        UnionOrg, on_delete=models.PROTECT, related_name="+", verbose_name=_("paying union")
    )
    code = models.CharField(_("batch"), max_length=32, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)

    class Meta:
        verbose_name = _("payment batch")
        verbose_name_plural = _("payment batches")

    def __str__(self) -> str:
        return self.code


class SubsidyApplication(models.Model):
    """One application; `org` is the applicant's union when it was filed (scoping)."""

    scope_path = "org__path"

    code = models.CharField(_("application number"), max_length=20, unique=True)
    programme = models.ForeignKey(
        SubsidyProgramme,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("programme"),
    )
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="+", verbose_name=_("applicant")
    )
    org = models.ForeignKey(
        UnionOrg, on_delete=models.PROTECT, related_name="+", verbose_name=_("union")
    )
    certificate_no = models.CharField(_("certificate number"), max_length=40)
    level = models.PositiveSmallIntegerField(_("certificate level"))
    occupation = models.ForeignKey(
        Occupation, on_delete=models.PROTECT, related_name="+", verbose_name=_("occupation")
    )
    issued_on = models.DateField(_("issued on"))
    scan = models.FileField(
        _("certificate scan"), upload_to="benefits/certificates/%Y/%m/", blank=True
    )
    channel = models.CharField(
        _("channel"), max_length=8, choices=SubsidyChannel.choices, default=SubsidyChannel.PORTAL
    )
    status = models.CharField(
        _("status"), max_length=10, choices=SubsidyStatus.choices, default=SubsidyStatus.SUBMITTED
    )
    eligible = models.BooleanField(_("eligible"), default=False)
    reasons = models.JSONField(_("failed rules"), default=list, blank=True)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=10, decimal_places=2, default=0)
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decision_note = models.CharField(_("note"), max_length=500, blank=True)
    batch = models.ForeignKey(
        PaymentBatch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("payment batch"),
    )

    class Meta:
        verbose_name = _("subsidy application")
        verbose_name_plural = _("subsidy applications")
        indexes = [models.Index(fields=["programme", "status"], name="subsidy_prog_status")]
        constraints = [
            # The same certificate once per programme, whatever two clerks enter at once.
            models.UniqueConstraint(
                fields=["programme", "certificate_no"],
                condition=~models.Q(status="rejected"),
                name="subsidy_certificate_once",
            )
        ]

    def __str__(self) -> str:
        return self.code


# --- purchased projects -------------------------------------------------------------------------


class SocialOrganisation(models.Model):
    """A social organisation the union buys services from (购买社会组织服务)."""

    scope_path = "org__path"

    org = models.ForeignKey(
        UnionOrg, on_delete=models.PROTECT, related_name="+", verbose_name=_("registering union")
    )
    name = models.CharField(_("name"), max_length=200)
    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    contact = models.CharField(_("contact"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("social organisation")
        verbose_name_plural = _("social organisations")

    def __str__(self) -> str:
        return self.name


class ServiceProject(models.Model):
    scope_path = "org__path"

    org = models.ForeignKey(
        UnionOrg, on_delete=models.PROTECT, related_name="+", verbose_name=_("purchasing union")
    )
    organisation = models.ForeignKey(
        SocialOrganisation,
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=_("social organisation"),
    )
    name = models.CharField(_("name"), max_length=200)
    contract_amount = models.DecimalField(
        _("contract amount (yuan)"), max_digits=14, decimal_places=2
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    segment = models.ForeignKey(
        Segment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("target members"),
    )
    planned_sessions = models.PositiveIntegerField(_("planned sessions"))
    evaluation_score = models.PositiveSmallIntegerField(
        _("evaluation score (0–100)"), null=True, blank=True
    )
    evaluation = models.TextField(_("evaluation"), blank=True)

    class Meta:
        verbose_name = _("purchased project")
        verbose_name_plural = _("purchased projects")

    def __str__(self) -> str:
        return self.name


class ProjectSession(models.Model):
    scope_path = "project__org__path"

    project = models.ForeignKey(ServiceProject, on_delete=models.CASCADE, related_name="sessions")
    held_on = models.DateField(_("held on"))
    place = models.CharField(_("place"), max_length=200)
    participants = models.PositiveIntegerField(_("participants (person-times)"))

    class Meta:
        verbose_name = _("session delivered")
        verbose_name_plural = _("sessions delivered")

    def __str__(self) -> str:
        return f"{self.project} {self.held_on}"


# --- events -------------------------------------------------------------------------------------


class EventKind(models.TextChoices):
    LECTURE = "lecture", _("Lecture")
    HEALTH_CHECK = "health_check", _("Health check")
    MATCHMAKING = "matchmaking", _("Matchmaking mixer")
    SKILLS_CONTEST = "skills_contest", _("Skills contest (技能比武)")
    LABOUR_CONTEST = "labour_contest", _("Labour competition (劳动竞赛)")
    SPORTS = "sports", _("Sports")


class Event(models.Model):
    scope_path = "org__path"

    org = models.ForeignKey(
        UnionOrg, on_delete=models.PROTECT, related_name="+", verbose_name=_("organising union")
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices)
    starts_at = models.DateTimeField(_("starts at"))
    place = models.CharField(_("place"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    capacity = models.PositiveIntegerField(_("capacity"))
    segment = models.ForeignKey(
        Segment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("eligible members"),
        help_text=_("Empty: every member."),
    )
    checkin_code = models.CharField(_("check-in code"), max_length=8)
    cancelled = models.BooleanField(_("cancelled"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self) -> str:
        return self.title


class SignupStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Signed up")
    WAITLISTED = "waitlisted", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")


class EventSignup(models.Model):
    scope_path = "event__org__path"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="signups")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=SignupStatus.choices)
    created_at = models.DateTimeField(_("signed up at"), auto_now_add=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)

    class Meta:
        verbose_name = _("event sign-up")
        verbose_name_plural = _("event sign-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "member"],
                condition=~models.Q(status="cancelled"),
                name="one_live_signup_per_member",
            )
        ]
        indexes = [models.Index(fields=["event", "status"], name="signup_event_status")]

    def __str__(self) -> str:
        return f"{self.event} · {self.member}"
