"""Background jobs of the insights app (django-tasks; run by `gonghui db_worker`)."""

from django_tasks import task

from gonghui.insights.services import rollups_refresh


@task()
def refresh_rollups(metrics: list[str] | None = None) -> int:
    """Rebuild the rolled-up figures; returns the id of the RollupRun it recorded."""
    return rollups_refresh(metrics=metrics).pk
