"""Every screen of the reference deck rendered from the seed fixture, with its figures found
on the page as the deck prints them."""

import re

import pytest
from django.urls import reverse

from metrics import models
from tests.factories import UserFactory
from tests.views.dashboard_html import cells_by, ordered_values, page_text

pytestmark = pytest.mark.django_db

Q2_TITLE = "Thriving Movement Tuning Session Q2 FY20-21"
Q1_TITLE = "Thriving Movement Tuning Session Q1 FY20-21"


@pytest.fixture
def viewer(client):
    client.force_login(UserFactory(roles=["Viewer"]))
    return client


@pytest.fixture
def q2(seed_deck):
    return models.TuningSession.objects.get(title=Q2_TITLE).id


@pytest.fixture
def q1(seed_deck):
    return models.TuningSession.objects.get(title=Q1_TITLE).id


def get(client, name, **kwargs):
    response = client.get(reverse(f"metrics:{name}", kwargs=kwargs))
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def row_cells(cells, slug, segment=""):
    return [cells[f"{slug}|{segment}|Q{q}"] for q in (1, 2, 3, 4)]


def test_home_redirects_to_the_latest_session(viewer, q2):
    response = viewer.get(reverse("metrics:home"))
    assert response.status_code == 302
    assert response.url == reverse("metrics:session", kwargs={"session_id": q2})


def test_s1_session_overview(viewer, q2):
    html = get(viewer, "session", session_id=q2)
    text = page_text(html)
    assert "continued to increase impact in critical areas such as disinformation" in text
    assert "<strong>newcomer empowerment, women's participation</strong>" in html.replace(
        "&#x27;", "'"
    )
    for deliverable in ("ARMDEB", "IP Masking", "Community Programs", "Safe and Secure Spaces"):
        assert deliverable in text
    armdeb_url = reverse("metrics:objective", kwargs={"session_id": q2, "objective_slug": "armdeb"})
    assert f'href="{armdeb_url}"' in html
    assert "pausing incubator project" in text


def test_session_switcher_links_both_sessions(viewer, q1, q2):
    html = get(viewer, "session", session_id=q2)
    for session_id in (q1, q2):
        assert f'href="{reverse("metrics:session", kwargs={"session_id": session_id})}"' in html


def test_s2_monthly_active_editors_cell_by_cell(viewer, q2):
    cells = cells_by(get(viewer, "session_metrics", session_id=q2))
    slug = "monthly-active-editors"
    assert row_cells(cells, slug) == ["+7.3% YoY (89K/mo*)", "+8.1% YoY (92K/mo*)", "-", "-"]
    established, emerging = "established-markets", "emerging-markets"
    assert row_cells(cells, slug, established) == [
        "+6.0% YoY (71K/mo +)",
        "+4.8% YoY (74K/mo +)",
        "-",
        "-",
    ]
    assert row_cells(cells, slug, emerging) == [
        "+9.5% YoY (23K/mo +)",
        "+10.7% YoY (23K/mo +)",
        "-",
        "-",
    ]


def test_s2_row_has_baseline_goal_and_department(viewer, q2):
    html = get(viewer, "session_metrics", session_id=q2)
    text = page_text(html)
    assert (
        "Monthly active editors increase YoY Baseline: 99K active editors/month Product +5% YoY"
        in text
    )
    assert "We will welcome and support newcomers." in text


def test_s3_new_editor_retention_cell_by_cell(viewer, q2):
    cells = cells_by(get(viewer, "session_metrics", session_id=q2))
    slug = "new-editor-retention"
    assert row_cells(cells, slug) == ["+7.5% YoY (5.7%/mo*)", "+8.6% YoY (7.6%/mo*)", "-", "-"]
    assert row_cells(cells, slug, "established-markets") == [
        "not available# (6.6%/mo †)",
        "not available# (9.3%/mo †)",
        "-",
        "-",
    ]
    assert row_cells(cells, slug, "emerging-markets") == [
        "+12.2% YoY (4.6%/mo †)",
        "+18.2% YoY (5.2%/mo †)",
        "-",
        "-",
    ]


def test_s4_survey_metrics_cell_by_cell(viewer, q2):
    cells = cells_by(get(viewer, "session_metrics", session_id=q2))
    expected = {
        "newcomer-empowerment": "3.82 (↑)",
        "youth-participation": "13.9% Youth (↓)",
        "diverse-genders": "15.0% Women (↑) 2.8% GM (↑)",
        "diverse-geographies": "24.5% Outside NA/EU (↓)",
    }
    for slug, q2_text in expected.items():
        assert row_cells(cells, slug) == ["Measured annually Q2", q2_text, "-", "-"], slug


def test_s4_baselines_and_goals(viewer, q2):
    text = page_text(get(viewer, "session_metrics", session_id=q2))
    assert "Baseline: Newcomer empowerment index 3.63, scale of 1-5 Maintain baseline" in text
    assert "Baseline: Women (11.5%), Gender minorities (GM) (1.9%)" in text


def test_s5_and_s6_states_and_decrease_arrows(viewer, q2):
    html = get(viewer, "session_metrics", session_id=q2)
    cells = cells_by(html)
    assert cells["movement-leaders-supported||Q2"] == "Organizers 3.69 (↑) Admins 4.07 (↑)"
    assert cells["movement-leaders-diversity||Q2"].startswith(
        "Organizers 29% Women (↑) 5.4% GM (↑)"
    )
    assert cells["glam-campaign-contributions||Q1"] == "no data yet"
    assert cells["threats-to-safety||Q2"] == "34% Unsafe (↓) 21% Harassed (↑)"
    # For a decrease metric ↓ is good and ↑ bad.
    safety = html[html.index('data-cell="threats-to-safety||Q2"') :]
    safety = safety[: safety.index("</td>")]
    assert 'arrow arrow-good" title="Good for this metric">(↓)' in safety
    assert 'arrow arrow-bad" title="Bad for this metric">(↑)' in safety


def test_footnote_markers_are_listed_under_the_table(viewer, q2):
    html = get(viewer, "session_metrics", session_id=q2)
    assert 'aria-label="Footnotes"' in html
    footnotes = html[html.index('aria-label="Footnotes"') :]
    footnotes = footnotes[: footnotes.index("</ul>")]
    for marker in ("*", "+", "†", "#"):
        assert f'<sup class="marker">{marker}</sup>' in footnotes


def test_s17_earlier_session_shows_its_own_definitions_and_only_q1(viewer, q1):
    html = get(viewer, "session_metrics", session_id=q1)
    cells = cells_by(html)
    assert row_cells(cells, "monthly-active-editors") == ["+7.3% YoY (89K/mo*)", "-", "-", "-"]
    text = page_text(html)
    assert "72% of newcomers feel empowered to succeed." in text
    assert "75% (+5% YoY)" in text
    # Its legend lists every marker its cells print, † included.
    legends = re.findall(r'aria-label="Footnotes">(.*?)</ul>', html, re.S)
    listed = set(re.findall(r'<sup class="marker">([^<]+)</sup>', " ".join(legends)))
    assert any("†" in cell for cell in cells.values())
    assert {"*", "+", "#", "†"} <= listed


def test_community_programs_key_result_table_cell_by_cell(viewer, q2):
    html = get(viewer, "objective", session_id=q2, objective_slug="community-programs")
    cells = cells_by(html)
    key_results = ordered_values(html, "data-kr")
    assert len(key_results) == 3
    campaigns, glam, teachers = (
        [cells[f"kr{kr}||Q{q}"] for q in (1, 2, 3, 4)] for kr in key_results
    )
    assert campaigns == [
        "WHO & UN Human Rights partnerships in development 1 campaign mentored",
        "3 campaigns mentored Initial WHO content upload complete; prep for #lib1ref and UN Human Rights CTAs",
        "-",
        "-",
    ]
    assert glam == ["0", "0 SD statements defined for DPLA and WMSE contributions", "-", "-"]
    assert teachers == [
        "470 teachers in 3 countries/lang Pilot partner selected",
        "540 teachers in 3 countries/lang Community consultation complete",
        "-",
        "-",
    ]
    text = page_text(html)
    assert "75 teachers, 3 countries/lang" in text
    assert "Baseline: 0 teachers" in text
    assert "Q4 FY20-21" in text


def test_armdeb_objective_shows_metric_key_results_and_narrative(viewer, q2):
    html = get(viewer, "objective", session_id=q2, objective_slug="armdeb")
    text = page_text(html)
    assert "Build useful, delightful, and newcomer-friendly features" in text
    assert "Talk page reply tools are on by default" in text
    assert "Target quarter for completion EOY" in text
    assert "+8.1% YoY (92K/mo*)" in cells_by(html).values()


def test_knowledge_gaps_milestones(viewer, q2):
    html = get(viewer, "objective", session_id=q2, objective_slug="address-knowledge-gaps")
    key_results = models.KeyResult.objects.filter(
        objective__slug="address-knowledge-gaps", milestone_total=4
    ).order_by("pk")
    cells = cells_by(html)
    for key_result in key_results:
        # The deck's cells print "1" and "2"; the progress is its own element beside them.
        assert [cells[f"kr{key_result.pk}||Q{q}"] for q in (1, 2, 3, 4)] == ["1", "2", "-", "-"]
    assert html.count('<progress max="4" value="2" aria-label="2 of 4 milestones">') == 2
    assert "(2 of 4 milestones)" not in page_text(html)
    overview = get(viewer, "session_overview", session_id=q2)
    assert "(2 of 4 milestones)" not in page_text(overview)
    assert 'aria-label="2 of 4 milestones"' in overview


def test_movement_consultation_ticks(viewer, q2):
    html = get(viewer, "objective", session_id=q2, objective_slug="movement-consultation")
    assert html.count('class="tick"') >= 4


def test_s12_grantmaking_drilldown_table(viewer, q2):
    html = get(viewer, "objective", session_id=q2, objective_slug="grantmaking")
    text = page_text(html)
    assert "FY19/20 FY20/21 Q1-Q2" in text
    assert "The situation" in text and "The recommendation" in text
    assert "% of gender focused grants/ % of funds 26% / 8.7% 26% / 9% 5% / 49%" in text
    assert 'class="group-heading"' in html


def test_drilldowns_of_ip_masking_and_leadership(viewer, q2):
    ip = page_text(get(viewer, "objective", session_id=q2, objective_slug="ip-masking"))
    assert "The team will take a hiatus from IP Masking efforts during Q3" in ip
    leadership = page_text(
        get(viewer, "objective", session_id=q2, objective_slug="community-leadership-development")
    )
    assert "Next steps" in leadership


def test_s16_appendix_acronyms(viewer, q2):
    text = page_text(get(viewer, "session_appendix", session_id=q2))
    assert "CSAM Child Sex Abuse Material" in text
    assert "GLAM Galleries, Libraries, Archives, and Museums" in text


def test_metric_pages_titled_as_the_deck_with_charts(viewer, q2):
    for slug, title in (
        ("monthly-active-editors", "Monthly Active Editors"),
        ("new-editor-retention", "New Editor Retention"),
    ):
        html = get(viewer, "metric", session_id=q2, metric_slug=slug)
        assert f"<h1>{title}</h1>" in html
        assert html.count("js/plotly.min.js") == 1
        assert f'data-chart="chart-{slug}-series"' in html
        assert f'data-chart="chart-{slug}-yoy"' in html


def test_survey_metric_page_charts_baseline_against_measurement(viewer, q2):
    html = get(viewer, "metric", session_id=q2, metric_slug="diverse-genders")
    assert 'data-chart="chart-diverse-genders-survey"' in html


def test_executive_overview_filters_by_department(viewer, q2):
    html = get(viewer, "session_overview", session_id=q2)
    assert set(ordered_values(html, "data-objective")) >= {"armdeb", "grantmaking"}
    filtered = viewer.get(
        reverse("metrics:session_overview", kwargs={"session_id": q2}), {"department": "product"}
    ).content.decode()
    objectives = set(ordered_values(filtered, "data-objective"))
    assert "armdeb" in objectives and "grantmaking" not in objectives
    assert set(ordered_values(filtered, "data-metric")) == {
        "monthly-active-editors",
        "new-editor-retention",
    }


def test_comparison_shows_the_changed_empowerment_baseline(viewer, q1, q2):
    response = viewer.get(reverse("metrics:session_compare"), {"before": q1, "after": q2})
    text = page_text(response.content.decode())
    assert "72% of newcomers feel empowered to succeed." in text
    assert "Newcomer empowerment index 3.63, scale of 1-5" in text
    assert "+8.1% YoY (92K/mo*)" in text


def test_whole_deck_page_has_every_screen_and_one_plotly(viewer, q2):
    html = get(viewer, "session_deck", session_id=q2)
    text = page_text(html)
    for fragment in ("Overview", "Monthly Active Editors", "Community Programs", "Acronyms"):
        assert fragment in text
    assert html.count("js/plotly.min.js") == 1
    assert html.count("data-chart=") >= 4


def test_armdeb_key_result_table_prints_the_decks_marker_variants(viewer, q2):
    """S8 prints "+o" and "+#" where S2 prints "+" and "not available# (... †)"."""
    armdeb = get(viewer, "objective", session_id=q2, objective_slug="armdeb")
    key_results = ordered_values(armdeb, "data-kr")
    cells = cells_by(armdeb)
    editors, retention = key_results[0], key_results[1]
    assert [cells[f"kr{editors}|established-markets|Q{q}"] for q in (1, 2)] == [
        "+6.0% YoY (71K/mo +o)",
        "+4.8% YoY (74K/mo +o)",
    ]
    assert [cells[f"kr{editors}|emerging-markets|Q{q}"] for q in (1, 2)] == [
        "+9.5% YoY (23K/mo +)",
        "+10.7% YoY (23K/mo +)",
    ]
    assert [cells[f"kr{retention}|established-markets|Q{q}"] for q in (1, 2)] == [
        "(6.6%/mo +#)",
        "(9.3%/mo +#)",
    ]
    assert [cells[f"kr{retention}|emerging-markets|Q{q}"] for q in (1, 2)] == [
        "+12.2% YoY (4.6%/mo +)",
        "+18.2% YoY (5.2%/mo +)",
    ]
    # The metrics table (S2) keeps its own markers for the same statuses.
    s2 = cells_by(get(viewer, "session_metrics", session_id=q2))
    assert s2["monthly-active-editors|established-markets|Q1"] == "+6.0% YoY (71K/mo +)"
    assert s2["new-editor-retention|established-markets|Q1"] == "not available# (6.6%/mo †)"


def test_s15_quote_and_the_list_building_example_are_content_blocks(viewer, q2):
    programs = get(viewer, "objective", session_id=q2, objective_slug="community-programs")
    text = page_text(programs)
    assert "Reading Wikipedia in the Classroom" in text
    assert (
        "“I had a false idea about wikipedia, I thought that it wasn’t a reliable source of "
        "information but after attending this training I understood that most information is "
        "justified using reliable resources and that there is a well organized community "
        "behind wikipedia.”"
    ) in text
    assert "<blockquote" in programs and "Achraf Kried" in text and "Assilah, Morocco" in text
    gaps = page_text(
        get(viewer, "objective", session_id=q2, objective_slug="address-knowledge-gaps")
    )
    assert "en:Earth" in gaps
    for item in ("Solar System (Q544)", "أفريقيا (Q15)", "المحيط الهادئ (Q98)"):
        assert item in gaps
