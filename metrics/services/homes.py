"""A person's visits, for their home page's "what changed since your last visit": a sign-in
starts a visit (the one before becomes the start of "new since"), and "Mark as seen" moves
it on. Kept per user, so it survives signing out and other devices. A GET never writes (the
home page only reads it): both happen on a POST."""

from django.utils import timezone

from metrics.models import HomeVisit
from metrics.services.reminders import checkin_reminders_lazily


def home_visit_start(*, user, now=None) -> HomeVisit:
    """A new visit: the last one's start becomes `previous_at`."""
    now = now or timezone.now()
    visit, created = HomeVisit.objects.get_or_create(
        user=user, defaults={"seen_at": now, "previous_at": None}
    )
    if not created:
        visit.previous_at, visit.seen_at = visit.seen_at, now
        visit.save(update_fields=["previous_at", "seen_at"])
    return visit


def home_changes_seen(*, user, now=None) -> HomeVisit:
    """The person has read what changed: from now on "new since" starts now."""
    now = now or timezone.now()
    visit, _ = HomeVisit.objects.update_or_create(
        user=user, defaults={"seen_at": now, "previous_at": now}
    )
    return visit


def on_signed_in(sender, request, user, **kwargs) -> None:
    """user_logged_in: a new visit, and the day's deadline reminders for sites without beat."""
    home_visit_start(user=user)
    checkin_reminders_lazily()
