"""The data version: one counter that every write bumps in its own transaction, so that
anything cached under a version (rendered tables, chart JSON, the deck document, ETags) is
never served after the data it shows has changed.

Where the bumps come from, so that no write path is missed:
- every service records history by bulk-creating HistoryEntry rows (forms, API, admin,
  CSV import, session actions): HistoryEntryQuerySet.bulk_create bumps;
- the recompute writes its history in SQL: metrics_recompute bumps when it changed a row;
- any other save or delete of a model of this app (the admin, loaddata, shell) and any
  change of department leads or of a user's groups (what a page shows a role): the
  signal receivers below;
- bulk loads without signals (generate_demo_data) call data_version_bump themselves.

Readers read the version first, then the data, and cache under the version they read:
a reader that started before a write may store newer data under the older version, which
nobody reads once the write has committed. The counter is one row updated in the writer's
transaction, so a reader never sees a version whose data is not yet committed.
"""

from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from metrics.models import (
    DataVersion,
    HistoryEntry,
    JobRun,
    RecomputeRequest,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)

# Rows no page caches (bookkeeping of jobs, or covered by their own bulk hook).
NOT_SHOWN = (DataVersion, HistoryEntry, JobRun, RecomputeRequest)
# Outgoing webhooks: their endpoints and delivery log are on no cached page.
NOT_SHOWN += (WebhookEndpoint, WebhookDelivery, WebhookAttempt)


def data_version_bump() -> None:
    now = timezone.now()
    updated = DataVersion.objects.filter(pk=1).update(version=F("version") + 1, changed_at=now)
    if not updated:
        # A database emptied by a flush (tests) or created without the migration's row.
        DataVersion.objects.get_or_create(pk=1, defaults={"version": 1, "changed_at": now})


def _bump_on_change(sender, **kwargs) -> None:
    data_version_bump()


def _bump_on_relation_change(sender, action, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        data_version_bump()


def data_version_signals_connect() -> None:
    """Called once from the app config. Connected per model, not for every sender: a
    receiver for all senders would stop Django's fast deletes everywhere."""
    from django.apps import apps
    from django.contrib.auth import get_user_model

    for model in apps.get_app_config("metrics").get_models():
        if issubclass(model, NOT_SHOWN):
            continue
        uid = f"data_version_{model._meta.label_lower}"
        post_save.connect(_bump_on_change, sender=model, dispatch_uid=f"{uid}_save")
        post_delete.connect(_bump_on_change, sender=model, dispatch_uid=f"{uid}_delete")

    from metrics.models import Department

    m2m_changed.connect(
        _bump_on_relation_change,
        sender=Department.leads.through,
        dispatch_uid="data_version_leads",
    )
    m2m_changed.connect(
        _bump_on_relation_change,
        sender=get_user_model().groups.through,
        dispatch_uid="data_version_groups",
    )
