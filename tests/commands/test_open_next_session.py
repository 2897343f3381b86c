"""`manage.py open_next_session`: the same service as the page; run twice, it creates nothing."""

from io import StringIO

from django.core.management import call_command

from metrics import models


def test_open_next_session_command_is_idempotent(seed_deck):
    out = StringIO()
    call_command("open_next_session", "--no-email", "--deadline", "2021-04-20", stdout=out)
    assert "Opened “Thriving Movement Tuning Session Q3 FY20-21”" in out.getvalue()
    q3 = models.TuningSession.objects.get(quarter__number=3)
    assert str(q3.quarter.status_deadline) == "2021-04-20"
    assert q3.metric_definitions.count() > 0

    again = StringIO()
    call_command("open_next_session", "--no-email", stdout=again)
    assert "Already open" in again.getvalue()
    assert models.TuningSession.objects.count() == 3
