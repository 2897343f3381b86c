"""Tuning sessions for the session switcher and the home redirect (one query each)."""

from dataclasses import dataclass

from django.db.models import Q

from metrics import models


@dataclass(frozen=True)
class SessionChoice:
    session_id: int
    title: str
    quarter_label: str


def session_choices() -> list[SessionChoice]:
    return [
        SessionChoice(s.id, s.title, s.quarter.label)
        for s in models.TuningSession.objects.select_related("quarter").order_by(
            "-quarter__fiscal_year", "-quarter__number", "priority__name"
        )
    ]


def latest_session_id() -> int | None:
    return (
        models.TuningSession.objects.order_by("-quarter__fiscal_year", "-quarter__number", "id")
        .values_list("id", flat=True)
        .first()
    )


def earlier_session_id(session_id: int) -> int | None:
    """The latest session of the same priority before this one's quarter: the deck ends with
    its metrics table as it was defined then (S17). Two queries."""
    session = (
        models.TuningSession.objects.filter(pk=session_id)
        .values("priority_id", "quarter__fiscal_year", "quarter__number")
        .first()
    )
    if session is None:
        return None
    fiscal_year, number = session["quarter__fiscal_year"], session["quarter__number"]
    return (
        models.TuningSession.objects.filter(priority_id=session["priority_id"])
        .filter(
            Q(quarter__fiscal_year__lt=fiscal_year)
            | Q(quarter__fiscal_year=fiscal_year, quarter__number__lt=number)
        )
        .order_by("-quarter__fiscal_year", "-quarter__number", "-id")
        .values_list("id", flat=True)
        .first()
    )
