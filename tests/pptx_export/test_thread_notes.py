"""The PowerPoint carries the session's threads in its slide notes, beside the slide each
is about; a held session's as they stood at the hold."""

import pytest

from metrics import models
from metrics.models.threads import SESSION_KEY, metric_cell_key, objective_key
from metrics.pptx_export import deck_pptx
from metrics.services import sessions as cycle
from metrics.services.threads import thread_comment_add
from tests.factories import UserFactory
from tests.pptx_export.reading import open_deck, title_of
from tests.selectors.builders import build_small_deck

pytestmark = pytest.mark.django_db


def notes_by_title(session) -> dict[str, str]:
    deck = open_deck(deck_pptx(session.id).content)
    return {
        title_of(slide): slide.notes_slide.notes_text_frame.text
        for slide in deck.slides
        if slide.has_notes_slide
    }


def test_threads_go_in_the_notes_of_their_slides_and_stay_as_held():
    session = build_small_deck()
    editors = models.Metric.objects.get(slug="monthly-active-editors")
    objective = models.Objective.objects.order_by("pk").first()
    executive = UserFactory(username="erin", roles=["Executive"])
    lead = UserFactory(username="lena", roles=["Department lead"])
    question = thread_comment_add(
        actor=executive,
        session=session,
        target_key=metric_cell_key(editors.pk, None, session.quarter.fiscal_year, 2),
        body="Why the **jump**?",
    )
    thread_comment_add(
        actor=executive, session=session, thread=question.thread, body="A campaign.",
        in_reply_to=question,
    )  # fmt: skip
    thread_comment_add(
        actor=lead, session=session, target_key=objective_key(objective.pk), body="On track."
    )
    thread_comment_add(actor=lead, session=session, target_key=SESSION_KEY, body="Agenda?")

    cycle.session_hold(actor=UserFactory(roles=["Admin"]), session=session)
    notes = notes_by_title(session)

    metrics_notes = notes["Thriving Movement Metrics"]
    assert "Thread: Monthly active editors" in metrics_notes and "(open)" in metrics_notes
    assert "erin" in metrics_notes and "Why the jump?" in metrics_notes  # no Markdown marks
    assert "↳ erin" in metrics_notes and "A campaign." in metrics_notes
    assert "On track." in notes[objective.title]
    assert "Agenda?" in next(text for text in notes.values() if "Thread: " + session.title in text)

    models.Comment.objects.update(body="Rewritten after the meeting")
    assert notes_by_title(session) == notes
