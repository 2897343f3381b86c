"""The webhook endpoint form of the admins' page and of the Django admin. The secret field
is never filled in from the stored one: left blank on a change, the secret is kept."""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from metrics.models import WebhookEndpoint
from metrics.services.webhooks import (
    SECRET_MIN_LENGTH,
    WEBHOOK_EVENTS,
    webhook_endpoint_clean,
)

EVENT_LABELS = {
    "status.saved": _("A metric's or key result's status is saved"),
    "submission.changed": _("A department's check-in changes state (submitted, locked, reopened)"),
    "session.opened": _("A tuning session is opened"),
    "session.held": _("A tuning session is held"),
    "session.reopened": _("A held session is reopened"),
    "session.deleted": _("A tuning session is deleted"),
    "comment.created": _("A comment is posted"),
}


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=[
            (kind, format_lazy("{}: {}", kind, EVENT_LABELS.get(kind, kind)))
            for kind in WEBHOOK_EVENTS
        ],
        widget=forms.CheckboxSelectMultiple,
    )
    secret = forms.CharField(
        label=_("Secret"),
        required=False,
        min_length=SECRET_MIN_LENGTH,
        max_length=200,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_(
            "Signs every delivery (HMAC-SHA256, header X-Okr-Signature). At least 16 "
            "characters. Never shown again: leave blank to keep the current one."
        ),
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["name", "url", "events", "active"]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        # ValidationError by field: the form shows each beside its field.
        clean = webhook_endpoint_clean(
            endpoint=self.instance if self.instance.pk else None,
            name=cleaned.get("name", ""),
            url=cleaned.get("url", ""),
            events=cleaned.get("events", []),
            secret=cleaned.get("secret"),
        )
        cleaned.update(name=clean["name"], url=clean["url"], events=clean["events"])
        return cleaned

    def service_values(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "url": data["url"],
            "events": data["events"],
            "active": data.get("active", False),
            "secret": data.get("secret") or None,
        }
