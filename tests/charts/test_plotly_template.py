"""The default template the figures carry is plotly.py's own, written into metrics once."""

import json

import pytest

from metrics.plotly_template import PLOTLY_VERSION, TEMPLATE


def test_the_template_is_plotly_py_s_default_one():
    plotly = pytest.importorskip("plotly")
    if plotly.__version__ != PLOTLY_VERSION:
        pytest.skip(f"the template is plotly.py {PLOTLY_VERSION}'s; {plotly.__version__} installed")
    import plotly.io as pio

    theirs = pio.templates[pio.templates.default].to_plotly_json()
    # The same values in the same order: the pages' figure JSON is byte for byte plotly.py's.
    assert json.dumps(TEMPLATE) == json.dumps(theirs)


def test_the_template_sets_the_look_of_the_traces_the_charts_draw():
    assert {"scatter", "bar"} <= set(TEMPLATE["data"])
    assert TEMPLATE["layout"]["colorway"][0].startswith("#")
