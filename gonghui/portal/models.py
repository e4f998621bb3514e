from django.db import models
from django.utils.translation import gettext_lazy as _


class SignInCode(models.Model):
    """A one-time sign-in code sent by SMS: stored as a keyed hash, single use, expiring."""

    phone_index = models.CharField(_("phone index"), max_length=32)
    code_hash = models.CharField(_("code hash"), max_length=64)
    created_at = models.DateTimeField(_("created at"))
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("wrong attempts"), default=0)

    class Meta:
        verbose_name = _("sign-in code")
        verbose_name_plural = _("sign-in codes")
        indexes = [models.Index(fields=["phone_index", "created_at"], name="signin_phone_at")]

    def __str__(self) -> str:
        return f"{self.phone_index[:8]}… {self.created_at:%Y-%m-%d %H:%M}"
