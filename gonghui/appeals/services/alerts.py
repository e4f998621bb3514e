"""Early warning of collective disputes (群体性劳动纠纷风险).

Raised at intake when an employer is the subject of `APPEALS_ALERT_APPEALS` appeals within
`APPEALS_ALERT_DAYS` days, or when one appeal involves `APPEALS_ALERT_WORKERS` workers or more.
An alert belongs to the district federation above the appeal (its officers and lawyers see it on
their workbench); a cluster that keeps growing updates its open alert instead of adding one.
"""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability, can
from gonghui.appeals.models import Alert, AlertKind, Appeal
from gonghui.appeals.services.routing import ancestors_of
from gonghui.core.scoping import scoped
from gonghui.orgs.models import OrgKind, UnionOrg


def _district_of(org: UnionOrg) -> UnionOrg:
    chain = ancestors_of(org)
    return next((o for o in chain if o.kind == OrgKind.DISTRICT), chain[-1])


@transaction.atomic
def alerts_check(*, appeal: Appeal) -> list[Alert]:
    """Raise or update the alerts this new appeal triggers."""
    district = _district_of(appeal.employer.org if appeal.employer is not None else appeal.org)
    raised: list[Alert] = []
    if appeal.workers_involved >= settings.APPEALS_ALERT_WORKERS:
        raised.append(
            Alert.objects.create(
                kind=AlertKind.MASS,
                org=district,
                employer=appeal.employer,
                appeal=appeal,
                workers_involved=appeal.workers_involved,
                raised_at=appeal.received_at,
            )
        )
    if appeal.employer is None:
        return raised
    since = appeal.received_at - timedelta(days=settings.APPEALS_ALERT_DAYS)
    window = Appeal.objects.filter(
        employer=appeal.employer, received_at__gt=since, received_at__lte=appeal.received_at
    )
    count = window.count()
    if count < settings.APPEALS_ALERT_APPEALS:
        return raised
    workers = sum(window.values_list("workers_involved", flat=True))
    open_alert = (
        Alert.objects.select_for_update()
        .filter(
            kind=AlertKind.EMPLOYER_CLUSTER,
            employer=appeal.employer,
            acknowledged_at__isnull=True,
            raised_at__gt=since,
        )
        .first()
    )
    if open_alert is None:
        open_alert = Alert(kind=AlertKind.EMPLOYER_CLUSTER, org=district, employer=appeal.employer)
    open_alert.appeal = appeal
    open_alert.appeals_count = count
    open_alert.workers_involved = workers
    open_alert.raised_at = appeal.received_at
    open_alert.save()
    raised.append(open_alert)
    return raised


@transaction.atomic
def alert_acknowledge(*, user: Any, alert: Alert) -> Alert:
    if not can(user, Capability.HANDLE_APPEALS):
        raise PermissionDenied(_("Your role may not handle appeals."))
    locked = scoped(Alert.objects.select_for_update(), user=user).filter(pk=alert.pk).first()
    if locked is None:
        raise PermissionDenied(_("This alert is outside your organisation's scope."))
    if locked.acknowledged_at is None:
        locked.acknowledged_at = timezone.now()
        locked.acknowledged_by = user
        locked.save(update_fields=["acknowledged_at", "acknowledged_by"])
    return locked
