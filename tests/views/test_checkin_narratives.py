import pytest
from django.urls import reverse

from metrics import models
from metrics.services.narratives import objective_update
from tests import factories
from tests.entry_world import entry_world_build
from tests.html_forms import form_post_data

pytestmark = pytest.mark.django_db

SCRIPTED = (
    "**Progress** made.\n\n<script>alert('x')</script>\n\n"
    '<img src=x onerror="alert(1)"> [link](javascript:alert(2))'
)


@pytest.fixture
def world(client):
    world = entry_world_build()
    client.force_login(world.lead_product)
    return world


def edit_url(world):
    return reverse("metrics:objective-edit", kwargs={"slug": world.objective.slug})


def form_data(world, **changes):
    objective = models.Objective.objects.get(pk=world.objective.pk)
    return {
        "version": objective.version,
        "statement": objective.statement,
        "narrative": objective.narrative,
        "target_quarter_text": objective.target_quarter_text,
    } | changes


def test_a_narrative_is_saved_as_markdown_and_rendered_without_any_script(client, world):
    response = client.post(edit_url(world), form_data(world, narrative=SCRIPTED))

    assert response.status_code == 302
    assert models.Objective.objects.get(pk=world.objective.pk).narrative == SCRIPTED
    html = client.get(edit_url(world)).content.decode()
    # Only the rendered Markdown: the rest of the page (history, scripts) is not user content.
    rendered = html.split('id="rendered"', 1)[1].split("</div>", 1)[0]
    assert "<strong>Progress</strong>" in rendered
    assert "<script" not in rendered and "onerror" not in rendered
    assert "javascript:" not in rendered
    # The textarea shows the Markdown escaped, not live.
    assert "&lt;script&gt;" in html


def test_a_stale_narrative_save_shows_the_other_version_and_keeps_the_typed_text(client, world):
    stale = form_data(world, narrative="- my bullet")
    objective_update(
        objective=world.objective, actor=world.admin, source="form", narrative="- their bullet"
    )

    response = client.post(edit_url(world), stale)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Someone else saved this text meanwhile" in html
    assert "their bullet" in html and "my bullet" in html
    assert models.Objective.objects.get(pk=world.objective.pk).narrative == "- their bullet"


def test_an_empty_statement_is_a_field_error(client, world):
    response = client.post(edit_url(world), form_data(world, statement=""))

    assert response.status_code == 200
    assert response.context["form"].errors["statement"]


def test_the_narrative_history_lists_each_change(client, world):
    for text in ("- one", "- two", "- three"):
        client.post(edit_url(world), form_data(world, narrative=text))

    history = client.get(edit_url(world)).context["history"]

    assert [(h.old_value, h.new_value) for h in history if h.field == "narrative"] == [
        ("- two", "- three"),
        ("- one", "- two"),
        ("- first bullet", "- one"),
    ]


def test_drilldowns_are_edited_and_locked_quarters_refuse(client, world):
    session = factories.TuningSessionFactory(quarter=world.q3)
    drilldown = models.Drilldown.objects.create(objective=world.objective, session=session)
    url = reverse("metrics:drilldown-edit", kwargs={"pk": drilldown.pk})
    data = {
        "version": 1,
        "title": "",
        "situation": "The **situation**",
        "impact": "",
        "recommendation": "",
        "next_steps": "",
    }

    assert client.post(url, data).status_code == 302
    assert models.Drilldown.objects.get().situation == "The **situation**"

    models.Submission.objects.create(department=world.product, quarter=world.q3, state="locked")
    response = client.post(url, {**data, "version": 2, "impact": "more"})
    assert "is locked" in response.content.decode()
    assert models.Drilldown.objects.get().impact == ""


def test_a_held_sessions_drilldown_reads_as_presented_without_a_form_to_save(client, world):
    session = factories.TuningSessionFactory(quarter=world.q3)
    drilldown = models.Drilldown.objects.create(
        objective=world.objective, session=session, situation="As presented"
    )
    url = reverse("metrics:drilldown-edit", kwargs={"pk": drilldown.pk})
    assert 'id="narrative-form"' in client.get(url).content.decode()

    models.TuningSession.objects.filter(pk=session.pk).update(state=models.SessionState.HELD)
    page = client.get(url).content.decode()

    assert 'id="narrative-form"' not in page
    assert "session was held" in page and "As presented" in page
    refused = client.post(url, {"version": 1, "situation": "changed"})
    assert "session was held" in refused.content.decode()
    assert models.Drilldown.objects.get().situation == "As presented"


def test_another_departments_lead_cannot_edit_the_narrative(client, world):
    client.force_login(world.lead_legal)

    assert client.get(edit_url(world)).status_code == 403
    assert client.post(edit_url(world), form_data(world, narrative="x")).status_code == 403
    assert models.Objective.objects.get(pk=world.objective.pk).narrative == "- first bullet"


def test_after_a_conflict_saving_again_as_shown_keeps_theirs_and_keep_mine_replaces(client, world):
    """The check-in's rule (metrics/forms/conflicts.py): the re-shown form saved as it is
    writes nothing; with "keep mine" ticked, this person's narrative wins and the other
    person's statement stays."""
    read = form_post_data(client.get(edit_url(world)).content, "narrative-form")
    objective_update(
        objective=world.objective, actor=world.admin, source="form", statement="Their statement"
    )

    conflict = client.post(edit_url(world), read | {"narrative": "- my bullet"})
    assert "Someone else saved this text meanwhile" in conflict.content.decode()
    shown = form_post_data(conflict.content, "narrative-form")
    assert shown["narrative"] == "- my bullet"

    assert client.post(edit_url(world), shown).status_code == 302
    objective = models.Objective.objects.get(pk=world.objective.pk)
    assert (objective.statement, objective.narrative) == ("Their statement", "- first bullet")

    conflict = client.post(edit_url(world), read | {"narrative": "- my bullet"})
    kept = form_post_data(conflict.content, "narrative-form") | {"keep_mine": "on"}
    assert client.post(edit_url(world), kept).status_code == 302
    objective = models.Objective.objects.get(pk=world.objective.pk)
    assert (objective.statement, objective.narrative) == ("Their statement", "- my bullet")
