"""The PowerPoint chart matches the page's: a date axis, whole quarters in a series of their
own (markers, no line through the months)."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from pptx import Presentation
from pptx.enum.chart import XL_MARKER_STYLE

from metrics.chart_plotly import plotly_figure
from metrics.charts import time_series_spec
from metrics.pptx_export.charts import add_native_chart
from metrics.selectors.charts import metric_chart_data
from metrics.selectors.deck import session_deck
from tests.selectors.builders import build_small_deck

pytestmark = pytest.mark.django_db


def test_months_and_a_quarter_on_one_date_axis_in_their_own_series():
    session = build_small_deck()
    editors = session_deck(session.id).metric("monthly-active-editors")
    data = metric_chart_data(editors.metric_id, until=date(2020, 12, 31))
    total = data.series[0]
    quarter = replace(
        total.points[-1],
        period_start=date(2021, 1, 1),
        period_end=date(2021, 3, 31),
        value=Decimal("95000"),
    )
    spec = time_series_spec(
        replace(data, series=(replace(total, points=(*total.points, quarter)),))
    )
    figure = plotly_figure(spec)
    slide = Presentation().slides.add_slide(Presentation().slide_layouts[6])

    chart = add_native_chart(slide, spec, 0.5, 0.5, 9, 5).chart

    assert chart._chartSpace.xpath(".//c:dateAx")
    months, quarters = list(chart.plots[0].series)[:2]
    assert (months.name, quarters.name) == ("All", "All, quarters")
    assert [v for v in quarters.values if v is not None] == [95000]
    assert quarters.marker.style == XL_MARKER_STYLE.DIAMOND
    categories = list(chart.plots[0].categories)
    assert categories == sorted(categories)
    assert len(categories) == len({x for t in figure["data"] for x in t["x"] if x})
