"""Rollup tables the dashboards read, and the assessment scorecards (建会考核).

`Figure` holds one value per (metric, org subtree, month): the count of the metric's rows placed
anywhere inside the subtree of the org at `path`, for the month `period`. The refresh job
(`gonghui.insights.rollups.rollups_refresh`) rebuilds it set-based; pages never count the
source tables.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from gonghui.orgs.models import UnionOrg


class Figure(models.Model):
    """One rolled-up value: `metric` for the subtree at `path` in the month starting `period`."""

    scope_path = "path"

    metric = models.CharField(_("metric"), max_length=40)
    path = models.CharField(_("org path"), max_length=255)
    depth = models.PositiveSmallIntegerField(_("depth"))
    period = models.DateField(_("month"))
    value = models.BigIntegerField(_("value"))

    class Meta:
        verbose_name = _("rolled-up figure")
        verbose_name_plural = _("rolled-up figures")
        constraints = [
            models.UniqueConstraint(
                fields=["path", "metric", "period"], name="insights_figure_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.path} {self.period:%Y-%m}: {self.value}"


class TreeNode(models.Model):
    """The union tree as of the last refresh, keyed by parent path: the dashboards find an
    org's child orgs with one equality lookup instead of a prefix scan of its whole subtree."""

    scope_path = "path"

    # A snapshot, not a constraint: deleting or merging orgs never waits on the rollups.
    org_id = models.BigIntegerField(_("union organisation"))
    path = models.CharField(_("org path"), max_length=255)
    parent_path = models.CharField(_("parent path"), max_length=255, db_index=True)

    class Meta:
        verbose_name = _("tree node")
        verbose_name_plural = _("tree nodes")

    def __str__(self) -> str:
        return self.path


class RollupRun(models.Model):
    """One refresh of the rollup tables: when, how long, which metrics, how many rows."""

    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    metrics = models.CharField(_("metrics"), max_length=1000)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    seconds = models.FloatField(_("seconds"), default=0.0)
    monthly_from = models.DateField(
        _("monthly figures from"),
        null=True,
        blank=True,
        help_text=_("Earlier figures are kept by whole year."),
    )

    class Meta:
        verbose_name = _("rollup refresh")
        verbose_name_plural = _("rollup refreshes")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} ({self.rows})"


class AssessmentScheme(models.Model):
    """A parent org's yearly assessment of its child orgs (建会考核): weights and the cap."""

    scope_path = "org__path"

    org = models.ForeignKey(
        UnionOrg,
        on_delete=models.PROTECT,
        related_name="assessment_schemes",
        verbose_name=_("assessing org"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    quantity_weight = models.PositiveSmallIntegerField(
        _("quantity weight (%)"),
        default=60,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    cap_percent = models.PositiveSmallIntegerField(
        _("cap on an indicator's score (%)"),
        default=120,
        validators=[MinValueValidator(100), MaxValueValidator(200)],
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("assessment scheme")
        verbose_name_plural = _("assessment schemes")
        constraints = [
            models.UniqueConstraint(fields=["org", "year"], name="insights_scheme_org_year")
        ]
        ordering = ["-year", "org__path"]

    def __str__(self) -> str:
        return f"{self.org.name} {self.year}"

    @property
    def quality_weight(self) -> int:
        return 100 - self.quantity_weight


class QualityItem(models.Model):
    """A quality item of a scheme (e.g. direct election, standardisation), scored 0-100."""

    scope_path = "scheme__org__path"

    scheme = models.ForeignKey(
        AssessmentScheme,
        on_delete=models.CASCADE,
        related_name="quality_items",
        verbose_name=_("assessment scheme"),
    )
    name = models.CharField(_("name"), max_length=100)
    weight = models.PositiveSmallIntegerField(
        _("weight"), default=1, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )

    class Meta:
        verbose_name = _("quality item")
        verbose_name_plural = _("quality items")
        constraints = [
            models.UniqueConstraint(fields=["scheme", "name"], name="insights_quality_item_name")
        ]
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class AssessmentTarget(models.Model):
    """One child org's yearly targets under a scheme. Visible to the child and its ancestors;
    edited only by the assessing (parent) org and above."""

    # The assessed org reads its own scorecard; the parent's subtree includes it anyway.
    scope_path = "org__path"

    scheme = models.ForeignKey(
        AssessmentScheme,
        on_delete=models.CASCADE,
        related_name="targets",
        verbose_name=_("assessment scheme"),
    )
    org = models.ForeignKey(
        UnionOrg,
        on_delete=models.PROTECT,
        related_name="assessment_targets",
        verbose_name=_("assessed org"),
    )
    new_unions = models.PositiveIntegerField(_("target: new unions"), default=0)
    new_members = models.PositiveIntegerField(_("target: new members"), default=0)
    coverage = models.DecimalField(
        _("target: coverage (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        verbose_name = _("assessment target")
        verbose_name_plural = _("assessment targets")
        constraints = [
            models.UniqueConstraint(fields=["scheme", "org"], name="insights_target_scheme_org")
        ]
        ordering = ["org__path"]

    def __str__(self) -> str:
        return f"{self.org.name} {self.scheme.year}"


class QualityScore(models.Model):
    """The parent's score (0-100) of one quality item for one target."""

    scope_path = "target__org__path"

    target = models.ForeignKey(
        AssessmentTarget,
        on_delete=models.CASCADE,
        related_name="quality_scores",
        verbose_name=_("assessment target"),
    )
    item = models.ForeignKey(
        QualityItem, on_delete=models.CASCADE, related_name="scores", verbose_name=_("item")
    )
    score = models.DecimalField(
        _("score"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )

    class Meta:
        verbose_name = _("quality score")
        verbose_name_plural = _("quality scores")
        constraints = [
            models.UniqueConstraint(fields=["target", "item"], name="insights_quality_score")
        ]

    def __str__(self) -> str:
        return f"{self.item.name}: {self.score}"
