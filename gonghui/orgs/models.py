from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node


class OrgKind(models.TextChoices):
    CITY = "city", _("City federation")
    DISTRICT = "district", _("District federation")
    STREET = "street", _("Street/township federation")
    COMMUNITY = "community", _("Community joint union")
    JOINT = "joint", _("Regional/industry joint union")
    INDUSTRY = "industry", _("Industry union")
    GROUP = "group", _("Group company union")
    ENTERPRISE = "enterprise", _("Enterprise union")


class OrgStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    MERGED = "merged", _("Merged")
    DISSOLVED = "dissolved", _("Dissolved")


class UnionOrg(MP_Node):
    """A node of the union tree. `path` (materialised) is what scoping filters on."""

    scope_path = "path"
    steplen = 4

    kind = models.CharField(_("kind"), max_length=16, choices=OrgKind.choices)
    code = models.CharField(_("union code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200, db_index=True)
    region_code = models.CharField(_("region code"), max_length=6, blank=True, db_index=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    established_on = models.DateField(_("established on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=OrgStatus.choices, default=OrgStatus.ACTIVE
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("union organisation")
        verbose_name_plural = _("union organisations")
        indexes = [
            # LIKE 'prefix%' on PostgreSQL needs pattern ops under a non-C collation.
            models.Index(
                fields=["path"], name="unionorg_path_prefix", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["kind", "path"], name="unionorg_kind_path"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Industry(models.TextChoices):
    """GB/T 4754-2017 sections."""

    A = "A", _("Agriculture, forestry, animal husbandry and fishery")
    B = "B", _("Mining")
    C = "C", _("Manufacturing")
    D = "D", _("Electricity, heat, gas and water production and supply")
    E = "E", _("Construction")
    F = "F", _("Wholesale and retail trade")
    G = "G", _("Transport, storage and postal services")
    H = "H", _("Accommodation and catering")
    I = "I", _("Information transmission, software and IT services")  # noqa: E741
    J = "J", _("Finance")
    K = "K", _("Real estate")
    L = "L", _("Leasing and business services")
    M = "M", _("Scientific research and technical services")
    N = "N", _("Water conservancy, environment and public facilities management")
    O = "O", _("Resident services, repair and other services")  # noqa: E741
    P = "P", _("Education")
    Q = "Q", _("Health and social work")
    R = "R", _("Culture, sports and entertainment")
    S = "S", _("Public administration, social security and social organisations")
    T = "T", _("International organisations")


class EmployerStatus(models.TextChoices):
    OPERATING = "operating", _("Operating")
    DEREGISTERED = "deregistered", _("Deregistered")
    # 核减: confirmed by an officer after a register verification found it missing.
    REMOVED = "removed", _("Removed after verification")


class Employer(models.Model):
    """An employer (用人单位), keyed by its unified social credit code.

    `org` is the union org responsible for it and places it in the tree for scoping: its
    community joint union when known, else its own union, else the federation of its region.
    """

    scope_path = "org__path"

    name = models.CharField(_("name"), max_length=200, db_index=True)
    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    uscc_check_failed = models.BooleanField(
        _("USCC fails the check (early pilot code)"), default=False
    )
    region_code = models.CharField(_("region code"), max_length=6, blank=True)
    industry = models.CharField(_("industry"), max_length=1, choices=Industry.choices, blank=True)
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=EmployerStatus.choices, default=EmployerStatus.OPERATING
    )
    org = models.ForeignKey(
        UnionOrg,
        on_delete=models.PROTECT,
        related_name="employers",
        verbose_name=_("responsible union organisation"),
    )
    community = models.ForeignKey(
        UnionOrg,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="community_employers",
        verbose_name=_("community joint union"),
    )
    union = models.ForeignKey(
        UnionOrg,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="union_employers",
        verbose_name=_("employer's union"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("employer")
        verbose_name_plural = _("employers")
        indexes = [models.Index(fields=["org", "status"], name="employer_org_status")]

    def __str__(self) -> str:
        return f"{self.name} ({self.uscc})"

    @property
    def has_union(self) -> bool:
        return self.union_id is not None


# --- organisation work: settings ---------------------------------------------------------------


class OrgWorkSettings(models.Model):
    """The editable rules of organisation work; one row (pk 1), see `current()`."""

    supervision_min_years = models.PositiveSmallIntegerField(
        _("supervision: open at least (years)"), default=5
    )
    supervision_min_employees = models.PositiveIntegerField(
        _("supervision: at least (employees)"), default=25
    )
    supervision_deadline_months = models.PositiveSmallIntegerField(
        _("supervision: deadline (months after listing)"),
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    supervision_refusals_to_escalate = models.PositiveSmallIntegerField(
        _("supervision: refusals before escalation"),
        default=2,
        validators=[MinValueValidator(1)],
    )
    staffing_enterprises_for_second = models.PositiveIntegerField(
        _("staffing: a second officer with more than (enterprises)"), default=100
    )
    election_term_warning_days = models.PositiveSmallIntegerField(
        _("elections: flag terms ending within (days)"), default=90
    )
    rating_excellent_score = models.PositiveSmallIntegerField(
        _("rating: model grade from (score)"), default=90, validators=[MaxValueValidator(100)]
    )
    rating_pass_score = models.PositiveSmallIntegerField(
        _("rating: meets the standard from (score)"),
        default=75,
        validators=[MaxValueValidator(100)],
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("organisation work settings")
        verbose_name_plural = _("organisation work settings")

    def __str__(self) -> str:
        return str(_("Organisation work settings"))

    @classmethod
    def current(cls) -> "OrgWorkSettings":
        found, _created = cls.objects.get_or_create(pk=1)
        return found


# --- register verification (大核查) -------------------------------------------------------------


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class RegisterVerification(models.Model):
    """One run of the market-registration register against the employers of `org`'s subtree
    (an upload is run by a background job; the command runs it at once)."""

    scope_path = "org__path"

    status = models.CharField(
        _("status"), max_length=8, choices=RunStatus.choices, default=RunStatus.DONE
    )
    file = models.FileField(_("file"), upload_to="imports/register/%Y/%m/", blank=True)
    failure = models.CharField(_("failure"), max_length=500, blank=True)
    # The first rejected rows: [row, column, value, reason], shown on the page.
    errors = models.JSONField(_("row errors"), default=list, blank=True)

    org = models.ForeignKey(
        UnionOrg, on_delete=models.PROTECT, related_name="+", verbose_name=_("verified subtree")
    )
    as_of = models.DateField(_("register as of"))
    file_name = models.CharField(_("file"), max_length=255, blank=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    matched = models.PositiveIntegerField(_("matched"), default=0)
    new = models.PositiveIntegerField(_("new"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    removal_candidates = models.PositiveIntegerField(_("removal candidates"), default=0)
    unorganized = models.PositiveIntegerField(_("without a union (supervision rule)"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("run by"),
    )
    created_at = models.DateTimeField(_("run at"), auto_now_add=True)

    class Meta:
        verbose_name = _("register verification")
        verbose_name_plural = _("register verifications")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.org.code} {self.as_of}"


class ChangeSource(models.TextChoices):
    REGISTER = "register", _("Register verification")
    REMOVAL = "removal", _("Removal confirmed")


class EmployerChange(models.Model):
    """History of an employer's registered facts: one row per changed field."""

    scope_path = "employer__org__path"

    employer = models.ForeignKey(
        Employer, on_delete=models.PROTECT, related_name="changes", verbose_name=_("employer")
    )
    field = models.CharField(_("field"), max_length=32)
    old_value = models.CharField(_("old value"), max_length=300, blank=True)
    new_value = models.CharField(_("new value"), max_length=300, blank=True)
    source = models.CharField(_("source"), max_length=16, choices=ChangeSource.choices)
    verification = models.ForeignKey(
        RegisterVerification,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="changes",
        verbose_name=_("register verification"),
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("employer change")
        verbose_name_plural = _("employer changes")
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.employer_id} {self.field}"


class RemovalReason(models.TextChoices):
    MISSING = "missing", _("Not in the register")
    DEREGISTERED = "deregistered", _("Deregistered in the register")


class CandidateStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting decision")
    CONFIRMED = "confirmed", _("Removal confirmed")
    DISMISSED = "dismissed", _("Dismissed (kept)")
    WITHDRAWN = "withdrawn", _("Withdrawn: operating in a later register")


class RemovalCandidate(models.Model):
    """An employer a verification could not find operating: removed only once an officer
    confirms (核减), never automatically."""

    scope_path = "employer__org__path"

    employer = models.ForeignKey(
        Employer,
        on_delete=models.PROTECT,
        related_name="removal_candidates",
        verbose_name=_("employer"),
    )
    verification = models.ForeignKey(
        RegisterVerification,
        on_delete=models.PROTECT,
        related_name="candidates",
        verbose_name=_("register verification"),
    )
    reason = models.CharField(_("reason"), max_length=16, choices=RemovalReason.choices)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=CandidateStatus.choices,
        default=CandidateStatus.PENDING,
    )
    note = models.TextField(_("note"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("found at"), auto_now_add=True)

    class Meta:
        verbose_name = _("removal candidate")
        verbose_name_plural = _("removal candidates")
        constraints = [
            models.UniqueConstraint(
                fields=["employer"],
                condition=Q(status="pending"),
                name="removal_candidate_one_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.employer_id} {self.reason}"


# --- establishment supervision (未建会企业挂牌督办) ----------------------------------------------


class SupervisionStatus(models.TextChoices):
    OPEN = "open", _("Under supervision")
    ESCALATED = "escalated", _("Escalated (repeated refusal)")
    ESTABLISHED = "established", _("Union established")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


ACTIVE_SUPERVISION = (SupervisionStatus.OPEN, SupervisionStatus.ESCALATED)


class SupervisionItem(models.Model):
    """An employer without a union on the supervision list, followed up by `responsible_org`."""

    scope_path = "responsible_org__path"

    employer = models.ForeignKey(
        Employer,
        on_delete=models.PROTECT,
        related_name="supervision_items",
        verbose_name=_("employer"),
    )
    responsible_org = models.ForeignKey(
        UnionOrg,
        on_delete=models.PROTECT,
        related_name="supervision_items",
        verbose_name=_("responsible org"),
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=SupervisionStatus.choices,
        default=SupervisionStatus.OPEN,
        db_index=True,
    )
    listed_on = models.DateField(_("listed on"))
    deadline = models.DateField(_("deadline"))
    refusals = models.PositiveSmallIntegerField(_("refusals"), default=0)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    close_reason = models.TextField(_("reason for closing"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("supervision item")
        verbose_name_plural = _("supervision items")
        constraints = [
            models.UniqueConstraint(
                fields=["employer"],
                condition=Q(status__in=["open", "escalated"]),
                name="supervision_one_active_per_employer",
            )
        ]

    def __str__(self) -> str:
        return f"{self.employer_id} {self.status}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_SUPERVISION


class FollowUpKind(models.TextChoices):
    VISIT = "visit", _("Visit")
    CALL = "call", _("Phone call")
    NOTICE = "notice", _("Written notice")
    MEETING = "meeting", _("Meeting")


class FollowUpOutcome(models.TextChoices):
    ONGOING = "ongoing", _("Still in progress")
    ESTABLISHED = "established", _("Union established")
    REFUSED = "refused", _("Refused")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


class SupervisionFollowUp(models.Model):
    scope_path = "item__responsible_org__path"

    item = models.ForeignKey(
        SupervisionItem,
        on_delete=models.CASCADE,
        related_name="follow_ups",
        verbose_name=_("supervision item"),
    )
    happened_on = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=16, choices=FollowUpKind.choices)
    outcome = models.CharField(_("outcome"), max_length=16, choices=FollowUpOutcome.choices)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["happened_on", "id"]

    def __str__(self) -> str:
        return f"{self.item_id} {self.happened_on} {self.outcome}"


# --- staffing (工会社会化干部, 社区工会干事, 工资集体协商指导员) ---------------------------


class WorkerKind(models.TextChoices):
    SOCIAL_CADRE = "social_cadre", _("Socially recruited cadre")
    COMMUNITY_OFFICER = "community_officer", _("Community union officer")
    INSTRUCTOR = "instructor", _("Wage-negotiation instructor")


# The kinds that staff a community joint union under the staffing norm.
NORM_KINDS = (WorkerKind.SOCIAL_CADRE, WorkerKind.COMMUNITY_OFFICER)


class WorkerStatus(models.TextChoices):
    ACTIVE = "active", _("In post")
    ON_LEAVE = "on_leave", _("On leave")
    LEFT = "left", _("Left")


class UnionWorker(models.Model):
    scope_path = "org__path"

    org = models.ForeignKey(
        UnionOrg, on_delete=models.PROTECT, related_name="workers", verbose_name=_("union org")
    )
    name = models.CharField(_("name"), max_length=50)
    kind = models.CharField(_("kind"), max_length=20, choices=WorkerKind.choices)
    post = models.CharField(_("post"), max_length=100, blank=True)
    full_time = models.BooleanField(_("full-time"), default=True)
    status = models.CharField(
        _("status"), max_length=16, choices=WorkerStatus.choices, default=WorkerStatus.ACTIVE
    )
    funding_share = models.DecimalField(
        _("funding share paid by the federation (%)"),
        max_digits=5,
        decimal_places=2,
        default=100,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    started_on = models.DateField(_("started on"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("union worker")
        verbose_name_plural = _("union workers")
        indexes = [models.Index(fields=["org", "status"], name="unionworker_org_status")]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"


# --- chair elections (工会主席直选) -------------------------------------------------------------


class ElectionMethod(models.TextChoices):
    DIRECT = "direct", _("Direct election")
    INDIRECT = "indirect", _("Indirect election")


class ChairElection(models.Model):
    scope_path = "org__path"

    org = models.ForeignKey(
        UnionOrg, on_delete=models.PROTECT, related_name="elections", verbose_name=_("union org")
    )
    held_on = models.DateField(_("held on"))
    method = models.CharField(_("method"), max_length=10, choices=ElectionMethod.choices)
    candidates = models.PositiveSmallIntegerField(
        _("candidates"), validators=[MinValueValidator(1)]
    )
    voters = models.PositiveIntegerField(_("eligible voters"))
    votes_cast = models.PositiveIntegerField(_("votes cast"))
    votes_for_elected = models.PositiveIntegerField(_("votes for the elected chair"))
    elected_name = models.CharField(_("elected chair"), max_length=50)
    term_ends_on = models.DateField(_("term ends on"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("chair election")
        verbose_name_plural = _("chair elections")
        ordering = ["-held_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["org", "held_on"], name="chair_election_org_day")
        ]

    def __str__(self) -> str:
        return f"{self.org_id} {self.held_on} {self.elected_name}"


# --- standardisation rating (规范化建设达标创优) and 双亮双强 ------------------------------------


class RatingItem(models.Model):
    """One line of the weighted standardisation checklist (configurable)."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    title = models.CharField(_("requirement"), max_length=200)
    weight = models.PositiveSmallIntegerField(_("weight"), validators=[MinValueValidator(1)])
    active = models.BooleanField(_("in use"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class RatingGrade(models.TextChoices):
    MODEL = "model", _("Model union")
    PASS = "pass", _("Meets the standard")
    FAIL = "fail", _("Below the standard")


class RatingAssessment(models.Model):
    """One assessment of a grassroots union against the checklist; earlier ones stay as history."""

    scope_path = "org__path"

    org = models.ForeignKey(
        UnionOrg, on_delete=models.PROTECT, related_name="ratings", verbose_name=_("union org")
    )
    assessed_on = models.DateField(_("assessed on"))
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1)
    grade = models.CharField(_("grade"), max_length=8, choices=RatingGrade.choices)
    met_items = models.ManyToManyField(
        RatingItem, blank=True, related_name="+", verbose_name=_("requirements met")
    )
    sign_displayed = models.BooleanField(_("union sign displayed"), default=False)
    identity_displayed = models.BooleanField(_("cadres' identity displayed"), default=False)
    note = models.TextField(_("note"), blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assessed by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("standardisation assessment")
        verbose_name_plural = _("standardisation assessments")
        ordering = ["-assessed_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["org", "assessed_on"], name="rating_org_day")
        ]

    def __str__(self) -> str:
        return f"{self.org_id} {self.assessed_on} {self.score}"

    @property
    def shuangliang(self) -> bool:
        """双亮: both the sign and the cadres' identity are displayed."""
        return self.sign_displayed and self.identity_displayed
