"""The metric pages ship a partial Plotly bundle: every trace type the charts draw, under
1.5 MB compressed (the full plotly.js is 4.8 MB, 1.5 MB compressed, and takes a second to
parse on every view)."""

import gzip
import re
from pathlib import Path

from django.conf import settings

from metrics import chart_plotly

BUNDLE = Path(settings.BASE_DIR) / "static" / "js" / "plotly.min.js"
# plotly.js-basic: scatter, bar and pie traces (plus layout shapes and annotations).
BASIC_TRACES = {"scatter", "bar", "pie"}


def test_the_bundle_is_the_basic_one_and_small_compressed():
    content = BUNDLE.read_bytes()

    assert b"plotly.js (basic" in content[:200]
    assert len(gzip.compress(content, compresslevel=6)) < 1_500_000


def test_the_bundle_draws_every_trace_type_the_charts_build():
    # chart_plotly.py, which writes every figure the pages draw, writes each trace as
    # _trace("<type>", ...).
    used = set(re.findall(r'_trace\(\s*"(\w+)"', Path(chart_plotly.__file__).read_text()))

    assert used and used <= BASIC_TRACES
