"""What the app connects when Django is ready (`MetricsConfig.ready`): the sign-in signals,
the domain events' subscribers (notifications, webhooks) and the modules that register on
import (system checks, Celery tasks). One place, so a newcomer finds every subscriber here.

Imported only from `ready()`: these modules need the app registry loaded."""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import post_save, pre_save

from metrics import accounts, checks, languages, tasks  # noqa: F401 - checks, tasks register
from metrics.services import homes, notification_events
from metrics.services.events import event_subscribe
from metrics.services.webhooks import webhooks_on_event, webhooks_outbox_register


def connect() -> None:
    user_model = get_user_model()
    user_login_failed.connect(accounts.on_login_failed, dispatch_uid="okr-login-failed")
    user_logged_in.connect(languages.on_signed_in, dispatch_uid="okr-language")
    user_logged_in.connect(homes.on_signed_in, dispatch_uid="okr-home-visit")
    # A password change revokes the account's API tokens and sessions (metrics/accounts.py).
    pre_save.connect(accounts.on_user_saving, sender=user_model, dispatch_uid="okr-pw-1")
    post_save.connect(accounts.on_user_saved, sender=user_model, dispatch_uid="okr-pw-2")
    event_subscribe(name="notifications", handler=notification_events.on_event)
    event_subscribe(name="webhooks", handler=webhooks_on_event)
    webhooks_outbox_register()
