"""Create-or-update of one versioned row with the optimistic version check, history and
`updated_by`: the core the status, key-result, observation and narrative services share.

`expected_version` is the version the caller read: None skips the check (last write wins),
0 means "I saw no row", anything else must match the stored version. The update is a
conditional UPDATE (`WHERE version = read version`) on a row read with SELECT ... FOR UPDATE,
so two concurrent saves can never both win. Callers wrap this in their transaction."""

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone

from metrics.services.errors import ConflictError
from metrics.services.history import changes_between, history_record, history_record_created


def actor_or_none(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def is_stale(current, expected_version) -> bool:
    """Has the row changed since the caller read it? `expected_version` None: the caller
    did not say (last write wins); 0: they saw no row. The one test of "this changed since
    you read it" every write path makes (forms, API, upsert, narratives, admin)."""
    return expected_version is not None and int(expected_version) != current.version


def version_bump(instance: models.Model, changes: Mapping[str, tuple[Any, Any]], *, actor, now):
    """Apply `changes` ({field: (old, new)}) to the row in memory as the next version, by
    `actor` at `now`. The caller stores it (a conditional UPDATE, or a bulk_update of many)."""
    for field, (_old, new) in changes.items():
        setattr(instance, field, new)
    instance.version += 1
    instance.updated_by = actor_or_none(actor)
    instance.updated_at = now


def versioned_row_save(
    *,
    model: type[models.Model],
    lookup: Mapping[str, Any],
    values: Mapping[str, Any],
    expected_version: int | None,
    actor,
    source: str,
) -> tuple[models.Model, bool]:
    """Create the row identified by `lookup` or update it with `values`. Returns the row as
    stored and whether anything changed; the row's `created` says whether this call inserted
    it (the API answers 201 then, 200 otherwise). Raises ConflictError carrying the current
    row."""
    current = model.objects.select_for_update(of=("self",)).filter(**lookup).order_by("pk").first()
    if current is None:
        inserted = _create(model, lookup, values, expected_version, actor, source)
        if inserted is not None:
            inserted.created = True
            return inserted, True
        current = model.objects.select_for_update(of=("self",)).get(**lookup)
    row, changed = versioned_instance_update(
        instance=current,
        values=values,
        expected_version=expected_version,
        actor=actor,
        source=source,
    )
    row.created = False
    return row, changed


def versioned_instance_update(
    *,
    instance: models.Model,
    values: Mapping[str, Any],
    expected_version: int | None,
    actor,
    source,
) -> tuple[models.Model, bool]:
    model = type(instance)
    current = model.objects.select_for_update(of=("self",)).get(pk=instance.pk)
    changes = changes_between(current, values)
    if not changes:
        # Already says what the caller wants: nothing to overwrite, so no conflict either.
        return current, False
    if is_stale(current, expected_version):
        raise ConflictError(current)
    now = timezone.now()
    updated = model.objects.filter(pk=current.pk, version=current.version).update(
        **{field: new for field, (_old, new) in changes.items()},
        version=F("version") + 1,
        updated_by=actor_or_none(actor),
        updated_at=now,
    )
    if not updated:
        raise ConflictError(model.objects.get(pk=current.pk))
    history_record(instance=current, changes=changes, actor=actor, source=source, changed_at=now)
    version_bump(current, changes, actor=actor, now=now)
    return current, True


def _create(model, lookup, values, expected_version, actor, source):
    instance = model(**lookup, **values, updated_by=actor_or_none(actor))
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:
        # Someone created the row between our read and our insert?
        existing = model.objects.filter(**lookup).first()
        if existing is None:
            raise
        if expected_version is not None:
            raise ConflictError(existing) from None
        return None
    history_record_created(instance=instance, fields=values.keys(), actor=actor, source=source)
    return instance
