from django.urls import path, re_path

from metrics.views import dashboards, deck_export, exports, finding, homes

# Included by metrics/urls.py under the "metrics" namespace.
urlpatterns = [
    path("", homes.HomeView.as_view(), name="home"),
    path("sessions/compare/", dashboards.CompareView.as_view(), name="session_compare"),
    path("sessions/<int:session_id>/", dashboards.SessionView.as_view(), name="session"),
    path(
        "sessions/<int:session_id>/overview/",
        dashboards.OverviewView.as_view(),
        name="session_overview",
    ),
    path(
        "sessions/<int:session_id>/metrics/",
        dashboards.MetricsTablesView.as_view(),
        name="session_metrics",
    ),
    path(
        "sessions/<int:session_id>/metrics/<slug:metric_slug>/",
        dashboards.MetricView.as_view(),
        name="metric",
    ),
    path("search/", finding.SearchView.as_view(), name="search"),
    re_path(
        r"^sessions/(?P<session_id>[0-9]+)/metrics/export\.(?P<kind>csv|xlsx)$",
        exports.MetricsTableExportView.as_view(),
        name="metrics_export",
    ),
    re_path(
        r"^sessions/(?P<session_id>[0-9]+)/objectives/(?P<objective_slug>[-a-zA-Z0-9_]+)"
        r"/export\.(?P<kind>csv|xlsx)$",
        exports.KeyResultsExportView.as_view(),
        name="key_results_export",
    ),
    path(
        "sessions/<int:session_id>/objectives/",
        finding.ObjectivesIndexView.as_view(),
        name="objectives_index",
    ),
    path(
        "sessions/<int:session_id>/objectives/<slug:objective_slug>/",
        dashboards.ObjectiveView.as_view(),
        name="objective",
    ),
    path(
        "sessions/<int:session_id>/appendix/",
        dashboards.AppendixView.as_view(),
        name="session_appendix",
    ),
    path(
        "sessions/<int:session_id>/deck/", dashboards.PrintDeckView.as_view(), name="session_deck"
    ),
    path(
        "sessions/<int:session_id>/deck.pptx",
        deck_export.DeckPptxView.as_view(),
        name="session_deck_pptx",
    ),
    path(
        "cells/<int:status_id>/history/",
        dashboards.CellHistoryView.as_view(),
        name="cell_history",
    ),
    path(
        "cells/key-results/<int:status_id>/history/",
        dashboards.CellHistoryView.as_view(key_result=True),
        name="key_result_cell_history",
    ),
]
