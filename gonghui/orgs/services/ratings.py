"""Standardisation rating (规范化建设达标创优) against the weighted checklist, and the 双亮双强
flags recorded with each assessment. Earlier assessments stay as the org's history."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability, require
from gonghui.core.scoping import org_in_scope
from gonghui.orgs.models import (
    OrgWorkSettings,
    RatingAssessment,
    RatingGrade,
    RatingItem,
    UnionOrg,
)


def rating_score(items: list[RatingItem], met: set[int]) -> Decimal:
    """Share of the checklist's weight met, on 0–100 with one decimal."""
    total = sum(item.weight for item in items)
    if not total:
        return Decimal(0)
    got = sum(item.weight for item in items if item.pk in met)
    return (Decimal(100) * got / total).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def rating_grade(score: Decimal, rules: OrgWorkSettings) -> str:
    if score >= rules.rating_excellent_score:
        return RatingGrade.MODEL
    if score >= rules.rating_pass_score:
        return RatingGrade.PASS
    return RatingGrade.FAIL


def rating_assess(
    *,
    user: Any,
    org: UnionOrg,
    assessed_on: date,
    met_item_ids: list[int],
    sign_displayed: bool,
    identity_displayed: bool,
    note: str = "",
) -> RatingAssessment:
    """Assess `org` against the checklist in use; one assessment per org and day (re-assessing
    the same day replaces it)."""
    require(user, Capability.MANAGE_ORG_WORK, _("You may not assess unions."))
    if not org_in_scope(org, user=user):
        raise ValidationError(_("The union org is outside your scope."))
    if assessed_on > timezone.localdate():
        raise ValidationError(_("The date is in the future."))
    items = list(RatingItem.objects.filter(active=True))
    known = {item.pk for item in items}
    met = set(met_item_ids)
    if not met <= known:
        raise ValidationError(_("Unknown checklist item."))
    score = rating_score(items, met)
    with transaction.atomic():
        assessment, _created = RatingAssessment.objects.update_or_create(
            org=org,
            assessed_on=assessed_on,
            defaults={
                "score": score,
                "grade": rating_grade(score, OrgWorkSettings.current()),
                "sign_displayed": sign_displayed,
                "identity_displayed": identity_displayed,
                "note": note.strip(),
                "assessed_by": user,
            },
        )
        assessment.met_items.set(met)
    return assessment
