"""Establishment supervision (未建会企业挂牌督办): the list, its follow-ups and its closing.

The rule (OrgWorkSettings): operating, opened at least N years before the as-of date, at least
M employees, no union. `supervision_rebuild` lists every employer the rule catches that has never
been on the list, and closes active items whose employer got a union or stopped operating; a
re-run changes nothing. Each item is followed by the employer's community joint union, else its
street federation, and is due a configurable number of months after listing.

Registering a union for an employer (`employer_union_set`, or an employer import naming its
union) closes its active item in the same transaction (`supervision_close_established`).
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability, require
from gonghui.core.scoping import org_in_scope
from gonghui.orgs.models import (
    ACTIVE_SUPERVISION,
    Employer,
    EmployerStatus,
    FollowUpKind,
    FollowUpOutcome,
    OrgKind,
    OrgWorkSettings,
    SupervisionFollowUp,
    SupervisionItem,
    SupervisionStatus,
    UnionOrg,
)
from gonghui.orgs.services.rules import add_months, unorganized_q

BATCH = 2000


@dataclass(frozen=True)
class RebuildResult:
    listed: int  # newly put on the list
    closed: int  # active items closed because the employer has a union or stopped operating
    active: int  # active items in the subtree afterwards


def responsible_org(employer: Employer, cache: dict[int, UnionOrg] | None = None) -> UnionOrg:
    """The employer's community joint union, else the nearest street (or community) above its
    org, else its org itself."""
    if employer.community_id is not None:
        return employer.community  # type: ignore[return-value]
    cache = cache if cache is not None else {}
    found = cache.get(employer.org_id)
    if found is None:
        org = employer.org
        paths = [org.path[: UnionOrg.steplen * d] for d in range(1, org.depth + 1)]
        found = (
            UnionOrg.objects.filter(path__in=paths, kind__in=[OrgKind.COMMUNITY, OrgKind.STREET])
            .order_by("-depth")
            .first()
        ) or org
        cache[employer.org_id] = found
    return found


def supervision_rebuild(
    *, scope_org: UnionOrg, as_of: date | None = None, user: Any = None
) -> RebuildResult:
    """Bring the supervision list of `scope_org`'s subtree up to date (idempotent)."""
    if user is not None:
        require(user, Capability.MANAGE_ORG_WORK, _("You may not rebuild the supervision list."))
    as_of = as_of or timezone.localdate()
    rules = OrgWorkSettings.current()
    with transaction.atomic():
        in_scope = Employer.objects.filter(org__path__startswith=scope_org.path)
        closed = _close_active(
            in_scope.filter(union__isnull=False), SupervisionStatus.ESTABLISHED, as_of, ""
        )
        closed += _close_active(
            in_scope.exclude(status=EmployerStatus.OPERATING),
            SupervisionStatus.NOT_APPLICABLE,
            as_of,
            _("The employer is no longer operating."),
        )
        fresh = (
            in_scope.filter(unorganized_q(rules=rules, as_of=as_of))
            .exclude(supervision_items__isnull=False)
            .select_related("org", "community")
            .order_by("pk")
        )
        deadline = add_months(as_of, rules.supervision_deadline_months)
        cache: dict[int, UnionOrg] = {}
        items = [
            SupervisionItem(
                employer=employer,
                responsible_org=responsible_org(employer, cache),
                listed_on=as_of,
                deadline=deadline,
            )
            for employer in fresh.iterator(chunk_size=BATCH)
        ]
        SupervisionItem.objects.bulk_create(items, batch_size=BATCH)
        active = SupervisionItem.objects.filter(
            employer__org__path__startswith=scope_org.path, status__in=ACTIVE_SUPERVISION
        ).count()
    return RebuildResult(listed=len(items), closed=closed, active=active)


def _close_active(employers: Any, status: str, on: date, reason: str) -> int:
    return int(
        SupervisionItem.objects.filter(
            employer__in=employers, status__in=ACTIVE_SUPERVISION
        ).update(status=status, closed_on=on, close_reason=reason, updated_at=timezone.now())
    )


def supervision_close_established(*, employer_ids: list[int], on: date | None = None) -> int:
    """Close the active items of employers that now have a union (call inside the transaction
    that sets the union)."""
    on = on or timezone.localdate()
    closed = 0
    for start in range(0, len(employer_ids), BATCH):
        closed += _close_active(
            employer_ids[start : start + BATCH],
            SupervisionStatus.ESTABLISHED,
            on,
            _("A union was registered for the employer."),
        )
    return closed


def supervision_close_gone(*, employer_ids: list[int], on: date) -> int:
    """Close the active items of employers removed or deregistered."""
    return _close_active(
        employer_ids,
        SupervisionStatus.NOT_APPLICABLE,
        on,
        _("The employer is no longer operating."),
    )


def employer_union_set(*, user: Any, employer: Employer, union: UnionOrg) -> Employer:
    """Register `union` as the employer's union (建会); its supervision item closes with it."""
    require(user, Capability.MANAGE_ORG_WORK, _("You may not register unions for employers."))
    if not org_in_scope(union, user=user) or not org_in_scope(employer.org, user=user):
        raise ValidationError(_("The union or the employer is outside your scope."))
    if union.kind in (OrgKind.CITY, OrgKind.DISTRICT, OrgKind.STREET):
        raise ValidationError(
            _("%(code)s is a federation, not an employer's union.") % {"code": union.code}
        )
    with transaction.atomic():
        employer.union = union
        if employer.community_id is None:
            employer.org = union
        employer.save(update_fields=["union", "org", "updated_at"])
        supervision_close_established(employer_ids=[employer.pk])
    return employer


def supervision_followup_add(
    *,
    user: Any,
    item: SupervisionItem,
    happened_on: date,
    kind: str,
    outcome: str,
    note: str = "",
) -> SupervisionFollowUp:
    """Log a visit, call, notice or meeting and its outcome. Refused often enough escalates the
    item; established or not applicable (with its reason) closes it."""
    require(user, Capability.MANAGE_ORG_WORK, _("You may not record follow-ups."))
    if kind not in FollowUpKind.values:
        raise ValidationError(_("Unknown kind of follow-up."))
    if outcome not in FollowUpOutcome.values:
        raise ValidationError(_("Unknown outcome."))
    note = note.strip()
    if outcome == FollowUpOutcome.NOT_APPLICABLE and not note:
        raise ValidationError(_("Give the reason why the employer is not applicable."))
    if happened_on > timezone.localdate():
        raise ValidationError(_("The date is in the future."))
    rules = OrgWorkSettings.current()
    with transaction.atomic():
        item = SupervisionItem.objects.select_for_update().get(pk=item.pk)
        if item.status not in ACTIVE_SUPERVISION:
            raise ValidationError(_("This supervision item is closed."))
        follow_up = SupervisionFollowUp.objects.create(
            item=item,
            happened_on=happened_on,
            kind=kind,
            outcome=outcome,
            note=note,
            created_by=user,
        )
        if outcome == FollowUpOutcome.REFUSED:
            item.refusals += 1
            if item.refusals >= rules.supervision_refusals_to_escalate:
                item.status = SupervisionStatus.ESCALATED
        elif outcome == FollowUpOutcome.ESTABLISHED:
            item.status = SupervisionStatus.ESTABLISHED
            item.closed_on = happened_on
            item.close_reason = note or _("Reported established at a follow-up.")
        elif outcome == FollowUpOutcome.NOT_APPLICABLE:
            item.status = SupervisionStatus.NOT_APPLICABLE
            item.closed_on = happened_on
            item.close_reason = note
        item.save()
    return follow_up
