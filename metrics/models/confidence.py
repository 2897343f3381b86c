"""A key result's confidence: how its lead judges the year goal's chances each quarter, set
beside the quarter's status (never printed in the deck's cells)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

CONFIDENCE_SCORE_MIN, CONFIDENCE_SCORE_MAX = 1, 10


class Confidence(models.TextChoices):
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    OFF_TRACK = "off_track", _("Off track")
