"""Writes of the catalogue: segments, service items, members' benefit profiles."""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from gonghui.benefits.models import MemberProfile, Segment, ServiceItem
from gonghui.benefits.segments import FLAGS, rules_clean
from gonghui.members.models import Member
from gonghui.orgs.models import UnionOrg


def save_unique(obj: Model, *, field: str, message: str) -> None:
    """Save `obj`; a unique constraint it breaks becomes a ValidationError on `field`."""
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:
        raise ValidationError({field: message}) from None


def segment_fits(*, org: UnionOrg, segment: Segment | None) -> None:
    """An offer of `org` may target a segment of `org` or of a union above it."""
    if segment is not None and not org.path.startswith(segment.org.path):
        message = _("The segment belongs to %(org)s, outside this union.")
        raise ValidationError({"segment": message % {"org": segment.org.name}})


@transaction.atomic
def segment_save(
    *, org: UnionOrg, name: str, rules: dict[str, Any], segment: Segment | None = None
) -> Segment:
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the segment a name.")})
    cleaned = rules_clean(rules)
    segment = segment or Segment()
    segment.org, segment.name, segment.rules = org, name, cleaned
    taken = _("%(org)s already has a segment named “%(name)s”.")
    save_unique(segment, field="name", message=taken % {"org": org.name, "name": name})
    return segment


@transaction.atomic
def item_save(
    *,
    org: UnionOrg,
    name: str,
    category: str,
    provider_kind: str,
    provider_name: str = "",
    segment: Segment | None = None,
    how_to_use: str = "",
    valid_from: date | None = None,
    valid_until: date | None = None,
    on_card: bool = False,
    active: bool = True,
    item: ServiceItem | None = None,
) -> ServiceItem:
    if valid_from and valid_until and valid_until < valid_from:
        raise ValidationError({"valid_until": _("The item cannot end before it starts.")})
    segment_fits(org=org, segment=segment)
    item = item or ServiceItem()
    fields = {
        "org": org,
        "name": name.strip(),
        "category": category,
        "provider_kind": provider_kind,
        "provider_name": provider_name.strip(),
        "segment": segment,
        "how_to_use": how_to_use.strip(),
        "valid_from": valid_from,
        "valid_until": valid_until,
        "on_card": on_card,
        "active": active,
    }
    for field, value in fields.items():
        setattr(item, field, value)
    taken = _("%(org)s already offers an item named “%(name)s”.")
    save_unique(item, field="name", message=taken % {"org": org.name, "name": name})
    return item


@transaction.atomic
def profile_set(*, member: Member, **flags: bool) -> MemberProfile:
    """Set a member's benefit flags (outdoor worker, 三高, hardship); others stay as they are."""
    unknown = set(flags) - set(FLAGS)
    if unknown:
        raise ValueError(f"unknown flags: {', '.join(sorted(unknown))}")
    profile, _created = MemberProfile.objects.get_or_create(member=member)
    for flag, value in flags.items():
        setattr(profile, flag, bool(value))
    profile.save()
    return profile
