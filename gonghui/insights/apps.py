from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "gonghui.insights"
    label = "insights"
    verbose_name = _("Insights")

    def ready(self) -> None:
        # The metrics register themselves on import (gonghui/insights/metrics.py).
        from gonghui.insights import metrics  # noqa: F401
