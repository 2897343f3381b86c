"""The seeded Q2 FY20-21 session exported to PowerPoint and read back with python-pptx, slide
by slide: every cell of the S2-S6 metrics tables and of the Community Programs key-result
table as the deck prints it, in real tables; real charts with their series."""

import pytest
from pptx.dml.color import RGBColor

from metrics import models
from metrics.pptx_export import deck_pptx
from tests.pptx_export.reading import (
    body_rows,
    charts_of,
    find_cell,
    open_deck,
    rows_of,
    runs_of,
    slides_titled,
    squash,
    tables_of,
    texts_of,
    title_of,
)

pytestmark = pytest.mark.django_db

Q2_TITLE = "Thriving Movement Tuning Session Q2 FY20-21"
METRICS_TITLE = "Thriving Movement Metrics"
DASH = ["-", "-"]

# (metric name, segment or None) -> Y2 goal, Q1, Q2, Q3, Q4 as the deck prints them (S2-S6).
S2_TO_S6 = {
    ("Monthly active editors increase YoY", None): [
        "+5% YoY", "+7.3% YoY (89K/mo*)", "+8.1% YoY (92K/mo*)", *DASH],
    ("Monthly active editors increase YoY", "Established markets"): [
        "+5% YoY", "+6.0% YoY (71K/mo +)", "+4.8% YoY (74K/mo +)", *DASH],
    ("Monthly active editors increase YoY", "Emerging markets"): [
        "+5% YoY", "+9.5% YoY (23K/mo +)", "+10.7% YoY (23K/mo +)", *DASH],
    ("New editor retention rate increases YoY", None): [
        "+5% YoY", "+7.5% YoY (5.7%/mo*)", "+8.6% YoY (7.6%/mo*)", *DASH],
    ("New editor retention rate increases YoY", "Established markets"): [
        "+5% YoY", "not available# (6.6%/mo †)", "not available# (9.3%/mo †)", *DASH],
    ("New editor retention rate increases YoY", "Emerging markets"): [
        "+5% YoY", "+12.2% YoY (4.6%/mo †)", "+18.2% YoY (5.2%/mo †)", *DASH],
    ("Improve newcomer empowerment", None): [
        "Maintain baseline", "Measured annually Q2", "3.82 (↑)", *DASH],
    ("Increase participation of youth", None): [
        "Maintain baseline", "Measured annually Q2", "13.9% Youth (↓)", *DASH],
    ("Increase participation of diverse genders", None): [
        "Maintain baseline", "Measured annually Q2", "15.0% Women (↑) 2.8% GM (↑)", *DASH],
    ("Increase participation of diverse geographies", None): [
        "Maintain baseline", "Measured annually Q2", "24.5% Outside NA/EU (↓)", *DASH],
    ("Increase diversity of movement leaders", None): [
        "Maintain baselines",
        "Measured annually Q2",
        "Organizers 29% Women (↑) 5.4% GM (↑) 29% outside NA/EU (↓) "
        "Admins 12% Women (↑) 3.4% GM (↑) 23% outside NA/EU (↓)",
        *DASH,
    ],
    ("Movement leaders feel supported", None): [
        "Maintain baselines", "Measured annually Q2", "Organizers 3.69 (↑) Admins 4.07 (↑)", *DASH],
    ("Metric for GLAM and campaign content contributions", None): [
        "Establish baseline", "no data yet", "no data yet", *DASH],
    ("Increased presence of underrepresented forms of knowledge", None): [
        "paused", "-", "-", *DASH],
    ("Decrease in reported threats to safety", None): [
        "35% unsafe, 18% harassed", "Measured annually Q2", "34% Unsafe (↓) 21% Harassed (↑)",
        *DASH],
    ("Documentation and announcements available in 10 most spoken languages", None): [
        "paused", "-", "-", *DASH],
}  # fmt: skip
METRIC_NAMES = sorted({name for name, _ in S2_TO_S6}, key=len, reverse=True)

_built: dict[str, bytes] = {}


@pytest.fixture
def deck(seed_deck):
    """The exported file, built once for this module: the seed is the same in every test and
    a build takes a second or two."""
    if "q2" not in _built:
        session = models.TuningSession.objects.get(title=Q2_TITLE)
        _built["q2"] = deck_pptx(session.id).content
    return open_deck(_built["q2"])


def titles(deck) -> list[str]:
    return [title_of(slide) for slide in deck.slides]


def q2_metric_slides(deck):
    """The metrics tables between "MTP Priority Update" and "MTP Priority OKRs" (the ones
    after the appendix are the earlier session's, S17)."""
    names = titles(deck)
    start, end = names.index("MTP Priority Update"), names.index("MTP Priority OKRs")
    return [s for s in list(deck.slides)[start:end] if title_of(s).startswith(METRICS_TITLE)]


def earlier_metric_slides(deck):
    names = titles(deck)
    return [
        s
        for s in list(deck.slides)[names.index("Acronyms") :]
        if title_of(s).startswith(METRICS_TITLE)
    ]


def metric_table(slides) -> dict[tuple[str, str | None], list[str]]:
    """(metric, segment) -> the row's goal and quarter cells, read in table order."""
    found, current = {}, None
    for row in body_rows(slides):
        name = row[1]
        metric = next((m for m in METRIC_NAMES if name.startswith(m)), None)
        if metric:
            current, key = metric, (metric, None)
        else:
            segment = name.rstrip("0123456789¹ ").strip()
            key = (current, segment)
        assert key not in found, f"{key} printed twice"
        found[key] = row[2:]
    return found


def test_the_deck_runs_in_the_decks_order_with_its_section_slides(deck):
    names = titles(deck)
    assert names[0] == Q2_TITLE
    assert names[1] == Q2_TITLE  # S1
    order = [
        "MTP Priority Update",
        METRICS_TITLE,
        "Monthly Active Editors",
        "MTP Priority OKRs",
        "Attract and Retain a Larger and More Diverse Editor Base",
        "Community Programs",
        "Drill Down: Grantmaking",
        "Movement Consultation",
        "Appendix",
        "Acronyms",
    ]
    positions = [names.index(name) for name in order]
    assert positions == sorted(positions)
    assert names[-1].startswith(METRICS_TITLE)  # S17, the earlier session's table


def test_s1_overview_has_its_texts_deliverables_and_actions(deck):
    text = " ".join(texts_of(deck.slides[1]))
    assert "continued to increase impact in critical areas such as disinformation" in text
    for piece in ("Progress/Challenges:", "Key Deliverables", "ARMDEB", "Safe and Secure Spaces"):
        assert piece in text
    assert "pausing incubator project" in text
    bold = {
        run.text
        for shape in deck.slides[1].shapes
        if shape.has_text_frame
        for p in shape.text_frame.paragraphs
        for run in p.runs
        if run.font.bold
    }
    assert "newcomer empowerment, women's participation" in bold


def test_every_cell_of_the_s2_to_s6_tables_is_in_a_native_table(deck):
    slides = q2_metric_slides(deck)
    assert slides and all(tables_of(s) for s in slides)
    assert metric_table(slides) == S2_TO_S6
    headers = rows_of(tables_of(slides[0])[0])[0]
    assert headers == ["MTP Outcomes", "MTP Metrics", "Y2 Goal"] + [
        f"Q{q} Status" for q in (1, 2, 3, 4)
    ]


def test_metric_rows_carry_baseline_department_and_outcome(deck):
    rows = body_rows(q2_metric_slides(deck))
    editors = next(r for r in rows if r[1].startswith("Monthly active editors"))
    assert editors[0] == "We will welcome and support newcomers."
    assert editors[1] == (
        "Monthly active editors increase YoY Baseline: 99K active editors/month Product"
    )
    assert any(
        r[1] == "Improve newcomer empowerment Baseline: Newcomer empowerment index 3.63, "
        "scale of 1-5"
        for r in rows
    )


def test_figures_are_bold_markers_superscript_and_arrows_coloured_by_direction(deck):
    slides = q2_metric_slides(deck)
    editors_q2 = runs_of(find_cell(slides, "Monthly active editors", 4))
    assert [(r.text, bool(r.font.bold)) for r in editors_q2][0] == ("+8.1% YoY", True)
    star = next(r for r in editors_q2 if r.text == "*")
    assert star.font._rPr.get("baseline") == "30000"

    retention = find_cell(slides, "New editor retention", 4)
    assert squash(retention.text_frame.text) == "+8.6% YoY (7.6%/mo*)"

    # Threats to safety is a decrease metric: ↓ is good (green) and ↑ bad (red).
    safety = {r.text: r for r in runs_of(find_cell(slides, "Decrease in reported threats", 4))}
    assert safety["(↓)"].font.color.rgb == RGBColor.from_string("1E7B45")
    assert safety["(↑)"].font.color.rgb == RGBColor.from_string("B3261E")
    youth = {r.text: r for r in runs_of(find_cell(slides, "Increase participation of youth", 4))}
    assert youth["(↓)"].font.color.rgb == RGBColor.from_string("B3261E")


def test_state_texts_and_footnote_markers(deck):
    slides = q2_metric_slides(deck)
    rows = [
        row
        for slide in slides
        for table in tables_of(slide)
        for row in list(table.rows)[1:]
        if squash(row.cells[1].text_frame.text).startswith("Established markets")
    ]
    not_available = runs_of(rows[1].cells[4])  # retention's Established markets, Q2
    assert not_available[0].text == "not available" and not_available[0].font.italic
    superscripts = [r.text for r in not_available if r.font._rPr.get("baseline") == "30000"]
    assert superscripts == ["#", "†"]
    segment_marker = runs_of(rows[0].cells[1])[-1]
    assert (segment_marker.text, segment_marker.font._rPr.get("baseline")) == ("1", "30000")
    notes = " ".join(t for s in slides for t in texts_of(s))
    assert "Markers * + † # 1 as printed in the deck, which does not explain them." in notes


def test_community_programs_key_result_table_cell_by_cell(deck):
    slides = [s for s in slides_titled(deck, "Community Programs") if tables_of(s)]
    rows = body_rows(slides)
    assert len(rows) == 3
    campaigns, glam, teachers = rows
    assert campaigns[2:] == [
        "WHO & UN Human Rights partnerships in development 1 campaign mentored",
        "3 campaigns mentored Initial WHO content upload complete; prep for #lib1ref and UN "
        "Human Rights CTAs",
        "-",
        "-",
    ]
    assert glam[2:] == ["0", "0 SD statements defined for DPLA and WMSE contributions", "-", "-"]
    assert teachers[2:] == [
        "470 teachers in 3 countries/lang Pilot partner selected",
        "540 teachers in 3 countries/lang Community consultation complete",
        "-",
        "-",
    ]
    assert teachers[1] == "75 teachers, 3 countries/lang UNESCO PoC"
    assert teachers[0].endswith("Baseline: 0 teachers")
    assert (
        campaigns[1]
        == "1 UN pilot 4 mentored campaigns lib1ref: 15% YoY growth, 1 new region engaged"
    )


def test_each_objective_has_its_slide_key_results_and_drilldowns(deck):
    names = titles(deck)
    for objective in models.Objective.objects.all():
        slides = slides_titled(deck, objective.title)
        assert any(tables_of(s) for s in slides), objective.title
        assert any("Objective:" in " ".join(texts_of(s)) for s in slides), objective.title
    ip_masking = " ".join(t for s in slides_titled(deck, "IP Masking") for t in texts_of(s))
    assert "The team will take a hiatus from IP Masking efforts during Q3" in ip_masking
    assert "Drill Down: Movement Consultation" in names


def test_the_grantmaking_drilldown_table(deck):
    slides = [s for s in slides_titled(deck, "Drill Down: Grantmaking") if tables_of(s)]
    table = tables_of(slides[0])[0]
    rows = rows_of(table)
    assert rows[0][1:] == ["FY19/20", "FY20/21", "Q1-Q2"]
    gender = next(r for r in rows if r[0].startswith("% of gender focused grants"))
    assert gender[1:] == ["26% / 8.7%", "26% / 9%", "5% / 49%"]
    heading = table.cell(1, 0)
    assert heading.is_merge_origin and heading.span_width == 4
    assert squash(heading.text_frame.text).startswith("We will have strong, diverse")


def test_appendix_lists_the_acronyms(deck):
    rows = body_rows(slides_titled(deck, "Acronyms"))
    assert ["CSAM", "Child Sex Abuse Material"] in rows
    assert ["GLAM", "Galleries, Libraries, Archives, and Museums"] in rows


def test_the_earlier_sessions_table_closes_the_deck_with_its_own_definitions(deck):
    slides = earlier_metric_slides(deck)
    rows = body_rows(slides)
    editors = next(r for r in rows if r[1].startswith("Monthly active editors"))
    assert editors[2:] == ["+5% YoY", "+7.3% YoY (89K/mo*)", "-", "-", "-"]
    empowerment = next(r for r in rows if r[1].startswith("Improve newcomer empowerment"))
    assert "72% of newcomers feel empowered to succeed." in empowerment[1]
    assert empowerment[2] == "75% (+5% YoY)"


def test_every_metric_with_data_has_a_native_chart_with_its_series(deck):
    charted = {title_of(s): charts_of(s) for s in deck.slides if charts_of(s)}
    assert set(charted) == {
        "Monthly Active Editors",
        "New Editor Retention",
        "Improve newcomer empowerment",
        "Increase participation of youth",
        "Increase participation of diverse genders",
        "Increase participation of diverse geographies",
        "Increase diversity of movement leaders",
        "Movement leaders feel supported",
        "Decrease in reported threats to safety",
    }
    series, yoy = charted["Monthly Active Editors"]
    assert [s.name for s in series.plots[0].series] == [
        "All",
        "Established markets",
        "Emerging markets",
        "Goal (+5% YoY)",
    ]
    total = series.plots[0].series[0]
    assert list(total.values)[-2:] == [89000, 92000]
    # A date axis like the page's: months and quarters at their place in time.
    assert series._chartSpace.xpath(".//c:dateAx") and not series._chartSpace.xpath(".//c:catAx")
    assert series.category_axis.tick_labels.number_format == "mmm yyyy"
    assert [s.name for s in yoy.plots[0].series][0] == "All"
    assert list(yoy.plots[0].series[0].values) == pytest.approx([7.3, 8.1])
    labels = [p.data_label.text_frame.text for p in yoy.plots[0].series[0].points]
    assert labels == ["+7.3% YoY", "+8.1% YoY"]
    assert series.value_axis.axis_title.text_frame.text == "Number per month"
    assert yoy.value_axis.axis_title.text_frame.text == "Change year over year (%)"
    notes = " ".join(texts_of(slides_titled(deck, "Monthly Active Editors")[0]))
    assert "Goal (+5% YoY): 5%" in notes

    (leaders,) = charted["Increase diversity of movement leaders"]
    bars = leaders.plots[0]
    assert list(leaders.plots[0].categories) == ["Women", "GM", "outside NA/EU"]
    assert [s.name for s in bars.series] == [
        "Organizers, baseline",
        "Organizers, measured",
        "Admins, baseline",
        "Admins, measured",
    ]
    assert list(bars.series[2].values) == [10.4, 1.9, 30]
    assert [p.data_label.text_frame.text for p in bars.series[2].points] == ["10.4%", "1.9%", "30%"]
    assert bars.overlap == 0  # side by side, not stacked
