from django.urls import path

from metrics.views import checkin, entry_narratives, entry_observations

# Included by metrics/urls.py under the "metrics" namespace.
QUARTER = "<slug:department>/<int:fiscal_year>/q<int:number>"

urlpatterns = [
    path("checkin/", checkin.CheckinIndexView.as_view(), name="checkin-index"),
    path(f"checkin/{QUARTER}/", checkin.CheckinView.as_view(), name="checkin"),
    path(
        f"checkin/{QUARTER}/submission/",
        checkin.SubmissionView.as_view(),
        name="checkin-submission",
    ),
    path(
        "checkin/<slug:department>/backfill/",
        entry_observations.BackfillView.as_view(),
        name="entry-backfill",
    ),
    path(
        "checkin/<slug:department>/import/",
        entry_observations.CsvImportView.as_view(),
        name="entry-import",
    ),
    path(
        "objectives/<slug:slug>/edit/",
        entry_narratives.ObjectiveEditView.as_view(),
        name="objective-edit",
    ),
    path(
        "drilldowns/<int:pk>/edit/",
        entry_narratives.DrilldownEditView.as_view(),
        name="drilldown-edit",
    ),
]
