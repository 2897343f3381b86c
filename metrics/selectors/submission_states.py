"""What a department's check-in was before it was locked, read from the submission's history:
the review pages count a locked check-in as that state, and the unlock (a reopened session)
goes back to it (metrics.services.submissions.submission_unlock)."""

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType

from metrics.models import HistoryEntry, Submission, SubmissionState


def states_before_lock(submission_ids: Iterable[int]) -> dict[int, str]:
    """{submission id: the state it had when it was last locked} (one query): a locked
    check-in counts as what it was (a hold locks every department, submitted or not)."""
    ids = list(submission_ids)
    if not ids:
        return {}
    found: dict[int, str] = {}
    for object_id, old_value in (
        HistoryEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Submission),
            object_id__in=ids,
            field="state",
            new_value=SubmissionState.LOCKED,
        )
        .order_by("object_id", "-changed_at", "-id")
        .values_list("object_id", "old_value")
    ):
        found.setdefault(object_id, old_value or SubmissionState.DRAFT)
    return found
