"""CSV and Excel downloads of the deck's tables: the metrics tables of a session and an
objective's key-result table, cells as the deck prints them (metrics/exports.py)."""

from django.http import Http404
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.generic import View

from metrics.exports import key_results_sheet, metrics_sheet, sheet_response
from metrics.views.dashboards import SessionPageMixin


class MetricsTableExportView(SessionPageMixin, View):
    def get(self, request, session_id, kind):
        deck = self.deck
        filename = f"metrics-{slugify(deck.quarter_label)}"
        return sheet_response(metrics_sheet(deck), filename=filename, kind=kind)


class KeyResultsExportView(SessionPageMixin, View):
    def get(self, request, session_id, objective_slug, kind):
        deck = self.deck
        objective = deck.objective(objective_slug)
        if objective is None:
            raise Http404(_("This session has no such objective."))
        filename = f"key-results-{objective.slug}-{slugify(deck.quarter_label)}"
        return sheet_response(key_results_sheet(deck, objective), filename=filename, kind=kind)
