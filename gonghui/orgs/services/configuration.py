"""The rules of organisation work and the rating checklist, changed by federation
administrators on the settings page."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability, require
from gonghui.orgs.models import OrgWorkSettings, RatingItem


def org_work_settings_update(*, user: Any, **values: int) -> OrgWorkSettings:
    """Change the rules of organisation work (federation administrators)."""
    require(
        user,
        Capability.CONFIGURE_ORG_WORK,
        _("Only federation administrators may change these rules."),
    )
    fields = {f.name for f in OrgWorkSettings._meta.fields} - {"id", "updated_at"}
    unknown = set(values) - fields
    if unknown:
        raise ValidationError(_("Unknown setting."))
    if values.get("rating_pass_score", 0) > values.get("rating_excellent_score", 100):
        raise ValidationError(_("The pass score is above the model score."))
    with transaction.atomic():
        rules = OrgWorkSettings.current()
        for name, value in values.items():
            setattr(rules, name, value)
        rules.full_clean()
        rules.save()
    return rules


def rating_item_save(
    *, user: Any, code: str, title: str, weight: int, active: bool = True, position: int = 0
) -> RatingItem:
    """Add a checklist item or change the one with this code (federation administrators)."""
    require(
        user,
        Capability.CONFIGURE_ORG_WORK,
        _("Only federation administrators may change these rules."),
    )
    if weight < 1 or not title.strip() or not code.strip():
        raise ValidationError(_("A checklist item needs a code, a requirement and a weight."))
    with transaction.atomic():
        item, _created = RatingItem.objects.update_or_create(
            code=code.strip(),
            defaults={
                "title": title.strip(),
                "weight": weight,
                "active": active,
                "position": position,
            },
        )
    return item
