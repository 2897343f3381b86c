"""Tuning sessions for the session switcher and the home redirect (one query each)."""

from dataclasses import dataclass

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
