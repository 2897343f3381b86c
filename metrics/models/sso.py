from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExternalIdentity(models.Model):
    """An account's identity at the organisation's OpenID provider: linked on the first
    sign-in (by verified email, or by creating the account), found by subject afterwards, so
    an email changed at the provider still reaches the same account."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_identities"
    )
    issuer = models.CharField(max_length=255)
    subject = models.CharField(max_length=255)
    email = models.EmailField(blank=True, help_text="The verified email of the last sign-in.")
    groups = models.JSONField(default=list, blank=True, help_text="Groups of the last sign-in.")
    linked_at = models.DateTimeField(auto_now_add=True)
    last_sign_in = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = _("external identities")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="external_identity_once")
        ]

    def __str__(self):
        return f"{self.user} at {self.issuer}"
