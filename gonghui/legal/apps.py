from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LegalConfig(AppConfig):
    name = "gonghui.legal"
    label = "legal"
    verbose_name = _("Legal services and dispute mediation")

    def ready(self) -> None:
        # The SMS templates of the legal services join the notify catalogue (gonghui.notify).
        from gonghui.legal.messages import register

        register()
