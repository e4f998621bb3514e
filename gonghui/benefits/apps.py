from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BenefitsConfig(AppConfig):
    name = "gonghui.benefits"
    verbose_name = _("Member benefits")

    def ready(self) -> None:
        # The SMS templates of benefits join notify's table (kept here, so notify stays unaware).
        from gonghui.benefits.messages import register

        register()
