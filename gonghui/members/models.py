from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from gonghui.core.pii import EncryptedTextField, mask_encrypted_id_number
from gonghui.orgs.models import Employer, UnionOrg


def _prefix_index(field: str, name: str) -> models.Index:
    # LIKE 'prefix%' on PostgreSQL needs pattern ops under a non-C collation.
    return models.Index(fields=[field], name=name, opclasses=["varchar_pattern_ops"])


class MemberStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    TRANSFERRED_OUT = "transferred_out", _("Transferred out")
    LAPSED = "lapsed", _("Lapsed")
    DECEASED = "deceased", _("Deceased")


class MemberSource(models.TextChoices):
    IMPORT = "import", _("Import")
    PORTAL = "portal", _("Portal")
    STAFF = "staff", _("Staff")


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class Member(models.Model):
    """A union member (会员实名制), one per resident ID number, ever.

    The ID number and phone are stored encrypted (`core.pii`), found by their blind index and
    shown through their masked copies; only an audited reveal decrypts them.
    """

    scope_path = "org__path"

    name = models.CharField(_("name"), max_length=50)
    name_pinyin = models.CharField(_("name in pinyin"), max_length=200, blank=True)
    name_initials = models.CharField(_("pinyin initials"), max_length=50, blank=True)
    id_number = EncryptedTextField(_("resident ID number (encrypted)"))
    id_number_index = models.CharField(_("ID number index"), max_length=32)
    gender = models.CharField(_("gender"), max_length=6, choices=Gender.choices)
    birth_date = models.DateField(_("birth date"))
    native_region = models.CharField(_("native region"), max_length=6)
    phone = EncryptedTextField(_("mobile phone (encrypted)"), blank=True)
    phone_index = models.CharField(_("phone index"), max_length=32, blank=True)
    phone_masked = models.CharField(_("mobile phone"), max_length=11, blank=True)
    employer = models.ForeignKey(
        Employer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("employer"),
    )
    # Indexed by (org, status) below; a second index on org alone would only slow imports.
    org = models.ForeignKey(
        UnionOrg,
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("union"),
        db_index=False,
    )
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=MemberStatus.choices, default=MemberStatus.ACTIVE
    )
    source = models.CharField(
        _("source"), max_length=8, choices=MemberSource.choices, default=MemberSource.STAFF
    )
    # The database defaults serve the import, which writes members without these columns.
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_default=Now())
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_default=Now())

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        # Every index costs each imported row; these are the lookups the registry serves.
        # Equality-only keys are declared here, not with unique=/db_index=, which on PostgreSQL
        # would add a second "_like" pattern index apiece. The blind indexes are random hex
        # keys, only ever compared for equality: pattern ops compare them byte by byte, which
        # builds their indexes (a bulk load's longest step) twice as fast as the collation's
        # comparison would.
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_index"],
                name="member_id_number_unique",
                opclasses=["varchar_pattern_ops"],
            )
        ]
        indexes = [
            models.Index(fields=["org", "status"], name="member_org_status"),
            # Members without a phone are never looked up by it: a quarter faster to build.
            models.Index(
                fields=["phone_index"],
                name="member_phone",
                opclasses=["varchar_pattern_ops"],
                condition=~models.Q(phone_index=""),
            ),
            _prefix_index("name", "member_name_prefix"),
            _prefix_index("name_pinyin", "member_pinyin_prefix"),
            _prefix_index("name_initials", "member_initials_prefix"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.id_number_masked}"

    @property
    def id_number_masked(self) -> str:
        """The ID number as shown (`110105********1234`), from its ciphertext: stored beside the
        birth date, which is the eight digits the mask hides, it would spell the whole number."""
        return mask_encrypted_id_number(self.id_number)


class CardStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    LOST = "lost", _("Reported lost")
    REPLACED = "replaced", _("Replaced")
    CANCELLED = "cancelled", _("Cancelled")


class MemberCard(models.Model):
    """A member card (京卡·互助服务卡). The number ends in a Luhn check digit."""

    scope_path = "member__org__path"

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="cards", verbose_name=_("member")
    )
    number = models.CharField(_("card number"), max_length=19, unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=CardStatus.choices, default=CardStatus.ACTIVE
    )
    issued_on = models.DateField(_("issued on"))
    status_changed_at = models.DateTimeField(_("status changed at"), auto_now=True)
    status_note = models.CharField(_("reason for the status"), max_length=500, blank=True)
    replaces = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
        verbose_name=_("replaces card"),
    )

    class Meta:
        verbose_name = _("member card")
        verbose_name_plural = _("member cards")
        constraints = [
            # At most one card in use per member: a lost card blocks until reissued.
            models.UniqueConstraint(
                fields=["member"],
                condition=models.Q(status__in=["active", "lost"]),
                name="one_card_in_use_per_member",
            )
        ]

    def __str__(self) -> str:
        return self.number


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class JoinApplication(models.Model):
    """A worker's online application to join (入会申请), routed to the union that decides it."""

    scope_path = "org__path"

    lookup_code = models.CharField(_("lookup code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=50)
    id_number = EncryptedTextField(_("resident ID number (encrypted)"))
    id_number_index = models.CharField(_("ID number index"), max_length=32, db_index=True)
    id_number_masked = models.CharField(_("resident ID number"), max_length=18)
    phone = EncryptedTextField(_("mobile phone (encrypted)"))
    phone_index = models.CharField(_("phone index"), max_length=32, db_index=True)
    phone_masked = models.CharField(_("mobile phone"), max_length=11)
    employer = models.ForeignKey(
        Employer,
        on_delete=models.PROTECT,
        related_name="join_applications",
        verbose_name=_("employer"),
    )
    org = models.ForeignKey(
        UnionOrg,
        on_delete=models.PROTECT,
        related_name="join_applications",
        verbose_name=_("union"),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.PENDING,
    )
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
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    member = models.ForeignKey(
        Member,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("member"),
    )

    class Meta:
        verbose_name = _("join application")
        verbose_name_plural = _("join applications")
        indexes = [models.Index(fields=["org", "status"], name="joinapp_org_status")]
        constraints = [
            # Two simultaneous submissions for one ID must not both become pending.
            models.UniqueConstraint(
                fields=["id_number_index"],
                condition=models.Q(status="pending"),
                name="one_pending_application_per_id",
            )
        ]

    def __str__(self) -> str:
        return f"{self.lookup_code} {self.name}"


class TransferStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting the receiving union")
    COMPLETED = "completed", _("Completed")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


class MemberTransfer(models.Model):
    """A move of a member to another union (会员关系转接), kept as history."""

    scope_path = ("from_org__path", "to_org__path")

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="transfers", verbose_name=_("member")
    )
    from_org = models.ForeignKey(
        UnionOrg, on_delete=models.PROTECT, related_name="+", verbose_name=_("from union")
    )
    to_org = models.ForeignKey(
        UnionOrg, on_delete=models.PROTECT, related_name="+", verbose_name=_("to union")
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=TransferStatus.choices,
        default=TransferStatus.PENDING,
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("member transfer")
        verbose_name_plural = _("member transfers")
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=models.Q(status="pending"),
                name="one_pending_transfer_per_member",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.from_org.code} → {self.to_org.code}"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class MemberImport(models.Model):
    """An uploaded member file and the background job importing it."""

    scope_path = "org__path"

    file = models.FileField(_("file"), upload_to="imports/members/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    org = models.ForeignKey(
        UnionOrg, on_delete=models.PROTECT, related_name="+", verbose_name=_("importing union")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=8, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    # Once every row is checked: how many are to be written, and how many are.
    rows_to_write = models.PositiveIntegerField(_("rows to write"), null=True, blank=True)
    rows_written = models.PositiveIntegerField(_("rows written"), default=0)
    result = models.JSONField(_("result"), default=dict, blank=True)
    error_report = models.FileField(
        _("error report"), upload_to="imports/members/%Y/%m/", blank=True
    )
    failure = models.CharField(_("failure"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("member import")
        verbose_name_plural = _("member imports")

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"
