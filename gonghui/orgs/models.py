from django.db import models
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
