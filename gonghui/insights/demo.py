"""Demo data of the insights app: the city's assessment of its districts for this year (targets,
weights, quality items and scores), then a full rollup refresh so the dashboards show figures.
Idempotent: a re-run updates the same scheme and targets and rebuilds the same figures."""

from datetime import date
from decimal import Decimal

from gonghui.accounts.models import Role, User
from gonghui.insights.models import RollupRun
from gonghui.insights.services import rollups_refresh, scheme_save, target_update

QUALITY_ITEMS = [("工会主席直选", 2), ("规范化建设达标", 2), ("双亮双强", 1)]


def insights_demo(*, today: date) -> RollupRun:
    admin = (
        User.objects.filter(role=Role.FEDERATION_ADMIN, scope_org__depth=1)
        .select_related("scope_org")
        .order_by("pk")
        .first()
    )
    if admin is not None and admin.scope_org is not None:
        scheme = scheme_save(
            user=admin,
            org=admin.scope_org,
            year=today.year,
            quantity_weight=60,
            cap_percent=120,
            quality_items=QUALITY_ITEMS,
        )
        items = list(scheme.quality_items.order_by("pk"))
        for n, target in enumerate(scheme.targets.select_related("org").order_by("org__path")):
            target_update(
                user=admin,
                target=target,
                new_unions=20 + 5 * (n % 4),
                new_members=400 + 100 * (n % 5),
                coverage=Decimal(60 + 5 * (n % 6)),
                quality_scores={
                    item.pk: Decimal(70 + (7 * n + 11 * i) % 30) for i, item in enumerate(items)
                },
            )
    return rollups_refresh()
