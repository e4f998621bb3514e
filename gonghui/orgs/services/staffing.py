"""Union workers: socially recruited cadres, community union officers, wage-negotiation
instructors. The staffing norm itself is read in selectors (`staffing_norm`)."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability, require
from gonghui.core.scoping import org_in_scope
from gonghui.orgs.models import UnionOrg, UnionWorker, WorkerKind, WorkerStatus


def unionworker_save(
    *,
    user: Any,
    org: UnionOrg,
    name: str,
    kind: str,
    post: str = "",
    full_time: bool = True,
    status: str = WorkerStatus.ACTIVE,
    funding_share: Decimal = Decimal(100),
    started_on: date | None = None,
    ended_on: date | None = None,
    worker: UnionWorker | None = None,
) -> UnionWorker:
    """Create a union worker, or change `worker`; `org` must be inside the user's scope."""
    require(user, Capability.MANAGE_ORG_WORK, _("You may not manage union workers."))
    if not org_in_scope(org, user=user):
        raise ValidationError(_("The union org is outside your scope."))
    if kind not in WorkerKind.values or status not in WorkerStatus.values:
        raise ValidationError(_("Unknown kind or status."))
    if not name.strip():
        raise ValidationError(_("The name is required."))
    if not Decimal(0) <= funding_share <= Decimal(100):
        raise ValidationError(_("The funding share is a percentage from 0 to 100."))
    if started_on and ended_on and ended_on < started_on:
        raise ValidationError(_("The end date is before the start date."))
    with transaction.atomic():
        worker = worker or UnionWorker()
        worker.org = org
        worker.name = name.strip()
        worker.kind = kind
        worker.post = post.strip()
        worker.full_time = full_time
        worker.status = status
        worker.funding_share = funding_share
        worker.started_on = started_on
        worker.ended_on = ended_on
        worker.save()
    return worker
