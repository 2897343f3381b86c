from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountSettings(models.Model):
    """What a person chose for themselves: the interface's language (blank: the browser's)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account_settings"
    )
    # A code of settings.LANGUAGES (checked by the service: no migration per added language).
    language = models.CharField(max_length=10, blank=True)

    class Meta:
        verbose_name_plural = _("account settings")

    def __str__(self):
        return f"{self.user}: {self.language or 'browser language'}"
