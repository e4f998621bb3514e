from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gonghui.core.pii import EncryptedTextField
from gonghui.members.models import Member
from gonghui.orgs.models import Employer, Industry, UnionOrg


class Channel(models.TextChoices):
    HOTLINE = "hotline", _("12351 hotline")
    WEB = "web", _("Website / portal")
    SMS = "sms", _("SMS")
    WEIBO = "weibo", _("Weibo")
    MAILBOX = "mailbox", _("Chairman's mailbox")
    ONLINE_PETITION = "online_petition", _("Online petition platform")
    OPINION_MONITORING = "opinion_monitoring", _("Public-opinion monitoring")
    WALK_IN = "walk_in", _("Walk-in")
    API = "api", _("Other integration")


class Nature(models.TextChoices):
    CONSULTATION = "consultation", _("Consultation")
    REQUEST = "request", _("Request for resolution")
    SUGGESTION = "suggestion", _("Suggestion")
    COMPLAINT = "complaint", _("Complaint")


class Difficulty(models.TextChoices):
    """The three deadline classes of the national 12351 standard."""

    ORDINARY = "ordinary", _("Ordinary")
    DIFFICULT = "difficult", _("Difficult")
    COMPLEX = "complex", _("Especially complex")


class AppealStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    DISPATCHED = "dispatched", _("Dispatched")
    ACCEPTED = "accepted", _("Accepted")
    IN_PROGRESS = "in_progress", _("In progress")
    REPLIED = "replied", _("Replied")
    CALLBACK = "callback", _("Called back")
    CLOSED = "closed", _("Closed")
    MERGED = "merged", _("Merged into another appeal")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASIC = "basic", _("Basically satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")


class Level(models.TextChoices):
    """The level that handles an appeal (分级负责), lowest first."""

    EMPLOYER_UNION = "employer_union", _("Employer's union")
    COMMUNITY = "community", _("Community joint union")
    STREET = "street", _("Street/township federation")
    DISTRICT = "district", _("District federation")


class Category(models.Model):
    """What an appeal is about. Seeded with the standard codes; admins may add more.

    Seeded names are English source strings shown through the translation catalogue; a name an
    administrator types is shown as typed.
    """

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        verbose_name = _("appeal category")
        verbose_name_plural = _("appeal categories")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return gettext(self.name)


class RoutingRule(models.Model):
    """归口管理、分级负责: which department and level handle appeals of a category.

    The most specific active rule wins (category, then region, then industry); an empty
    category, region or industry matches every appeal. Appeals with at least
    `raise_from_workers` workers involved (or urgent ones) go one level up.
    """

    category = models.ForeignKey(
        Category,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="routing_rules",
        verbose_name=_("category"),
    )
    region_code = models.CharField(
        _("region code (prefix)"),
        max_length=6,
        blank=True,
        help_text=_("e.g. 110105 for one district; empty for every region"),
    )
    industry = models.CharField(_("industry"), max_length=1, choices=Industry.choices, blank=True)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    department = models.CharField(_("responsible department"), max_length=100, blank=True)
    raise_from_workers = models.PositiveIntegerField(
        _("one level up from this many workers involved"), null=True, blank=True
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["category__order", "region_code", "industry", "pk"]

    def __str__(self) -> str:
        what = self.category.label if self.category else gettext("any category")
        return f"{what} → {self.get_level_display()}"


class Appeal(models.Model):
    """A worker's appeal (诉求) from any channel, handled by `org` (scoping) and `handler`."""

    scope_path = "org__path"

    tracking_code = models.CharField(_("tracking code"), max_length=20, unique=True)
    channel = models.CharField(_("channel"), max_length=24, choices=Channel.choices)
    nature = models.CharField(_("nature"), max_length=16, choices=Nature.choices)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="appeals", verbose_name=_("category")
    )
    name = models.CharField(_("complainant"), max_length=50)
    phone = EncryptedTextField(_("mobile phone (encrypted)"))
    phone_index = models.CharField(_("phone index"), max_length=32, db_index=True)
    phone_masked = models.CharField(_("mobile phone"), max_length=11)
    id_number = EncryptedTextField(_("resident ID number (encrypted)"), blank=True)
    id_number_index = models.CharField(_("ID number index"), max_length=32, blank=True)
    id_number_masked = models.CharField(_("resident ID number"), max_length=18, blank=True)
    member = models.ForeignKey(
        Member,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appeals",
        verbose_name=_("member"),
    )
    employer = models.ForeignKey(
        Employer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appeals",
        verbose_name=_("employer"),
    )
    employer_name = models.CharField(_("employer name"), max_length=200, blank=True)
    region_org = models.ForeignKey(
        UnionOrg,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("region (union named by the complainant)"),
    )
    content = models.TextField(_("content"))
    workers_involved = models.PositiveIntegerField(_("workers involved"), default=1)
    urgent = models.BooleanField(_("urgent"), default=False)
    difficulty = models.CharField(
        _("difficulty class"), max_length=10, choices=Difficulty.choices, default="ordinary"
    )
    received_at = models.DateTimeField(_("received at"))
    deadline = models.DateField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=12, choices=AppealStatus.choices, default=AppealStatus.RECEIVED
    )
    org = models.ForeignKey(
        UnionOrg, on_delete=models.PROTECT, related_name="appeals", verbose_name=_("assigned org")
    )
    department = models.CharField(_("responsible department"), max_length=100, blank=True)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appeals",
        verbose_name=_("handler"),
    )
    supervised = models.BooleanField(_("under supervision"), default=False)
    supervising_org = models.ForeignKey(
        UnionOrg,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("supervising org"),
    )
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    reply = models.TextField(_("reply"), blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    satisfaction = models.CharField(
        _("satisfaction"), max_length=12, choices=Satisfaction.choices, blank=True
    )
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("merged into"),
    )
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("taken by"),
    )
    channel_client = models.ForeignKey(
        "ChannelClient",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appeals",
        verbose_name=_("channel client"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["org", "status"], name="appeal_org_status"),
            models.Index(fields=["received_at"], name="appeal_received"),
            models.Index(fields=["employer", "received_at"], name="appeal_employer_received"),
            models.Index(fields=["handler", "status"], name="appeal_handler_status"),
        ]

    def __str__(self) -> str:
        return self.tracking_code


class ActionKind(models.TextChoices):
    RECEIVE = "receive", _("Received")
    DISPATCH = "dispatch", _("Dispatched")
    REASSIGN = "reassign", _("Reassigned")
    ACCEPT = "accept", _("Accepted")
    START = "start", _("Work started")
    RETURN = "return", _("Returned")
    TRANSFER = "transfer", _("Transferred")
    SUPERVISE = "supervise", _("Put under supervision")
    ESCALATE = "escalate", _("Escalated (overdue)")
    RECLASSIFY = "reclassify", _("Difficulty changed")
    REPLY = "reply", _("Replied")
    CALLBACK = "callback", _("Called back")
    RATE = "rate", _("Rated by the worker")
    REOPEN = "reopen", _("Reopened")
    CLOSE = "close", _("Closed")
    MERGE = "merge", _("Merged")
    ATTACH = "attach", _("Attachment added")
    LEGAL = "legal", _("Passed to legal services")


class AppealAction(models.Model):
    """One step of an appeal's history: who did what, when, from which status to which."""

    scope_path = "appeal__org__path"

    appeal = models.ForeignKey(
        Appeal, on_delete=models.CASCADE, related_name="actions", verbose_name=_("appeal")
    )
    at = models.DateTimeField(_("time"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_name = models.CharField(_("actor name"), max_length=150)
    kind = models.CharField(_("action"), max_length=12, choices=ActionKind.choices)
    from_status = models.CharField(
        _("from status"), max_length=12, choices=AppealStatus.choices, blank=True
    )
    to_status = models.CharField(_("to status"), max_length=12, choices=AppealStatus.choices)
    org = models.ForeignKey(
        UnionOrg,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("org after the action"),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("appeal action")
        verbose_name_plural = _("appeal actions")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.kind} {self.from_status}→{self.to_status}"


def _attachment_path(instance: "Attachment", filename: str) -> str:
    # The stored name never carries what the worker called the file (personal data, odd bytes).
    return f"appeals/{instance.appeal_id}/{instance.token}{instance.extension}"


class Attachment(models.Model):
    """Evidence attached to an appeal (wage slips, contracts, photos); served only scoped."""

    scope_path = "appeal__org__path"

    appeal = models.ForeignKey(
        Appeal, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("appeal")
    )
    token = models.CharField(max_length=32, unique=True)
    extension = models.CharField(max_length=8)
    file = models.FileField(_("file"), upload_to=_attachment_path)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


class ChannelClient(models.Model):
    """An integration that files appeals for one channel (SMS gateway, Weibo monitor, …).

    Only the SHA-256 of its token is stored. Appeals it files must lie in `org`'s subtree.
    """

    PREFIX = "ghc_"

    channel = models.CharField(_("channel"), max_length=24, choices=Channel.choices)
    name = models.CharField(_("name"), max_length=100)
    org = models.ForeignKey(
        UnionOrg, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    hint = models.CharField(_("hint"), max_length=12)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("channel client")
        verbose_name_plural = _("channel clients")

    def __str__(self) -> str:
        return f"{self.get_channel_display()} · {self.name} ({self.hint}…)"


class IntakeRequest(models.Model):
    """An `Idempotency-Key` seen on `POST /api/v1/appeals`, with the response it produced.

    Written in the transaction that files the appeal, so the key, the appeal and the stored
    response commit together; a concurrent duplicate waits on the unique key and then reads
    the committed response. `request_hash` is a keyed hash of the canonical request body.
    """

    client = models.ForeignKey(ChannelClient, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(_("idempotency key"), max_length=255)
    request_hash = models.CharField(_("request hash"), max_length=32)
    status_code = models.PositiveSmallIntegerField(_("response status"), null=True)
    response = models.JSONField(_("response"), null=True)
    appeal = models.ForeignKey(
        Appeal, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("intake request")
        verbose_name_plural = _("intake requests")
        constraints = [
            models.UniqueConstraint(fields=["client", "key"], name="intake_key_per_client")
        ]

    def __str__(self) -> str:
        return self.key


class AlertKind(models.TextChoices):
    EMPLOYER_CLUSTER = "employer_cluster", _("Several appeals about one employer")
    MASS = "mass", _("Many workers involved")


class Alert(models.Model):
    """Early warning of a collective dispute risk, shown to the responsible district."""

    scope_path = "org__path"

    kind = models.CharField(_("kind"), max_length=20, choices=AlertKind.choices)
    org = models.ForeignKey(
        UnionOrg, on_delete=models.PROTECT, related_name="+", verbose_name=_("district")
    )
    employer = models.ForeignKey(
        Employer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("employer"),
    )
    appeal = models.ForeignKey(
        Appeal, on_delete=models.CASCADE, related_name="alerts", verbose_name=_("latest appeal")
    )
    appeals_count = models.PositiveIntegerField(_("appeals"), default=1)
    workers_involved = models.PositiveIntegerField(_("workers involved"), default=1)
    raised_at = models.DateTimeField(_("raised at"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-raised_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.raised_at:%Y-%m-%d}"
