from django.urls import path

from metrics.views import session_cycle

# Included by metrics/urls.py under the "metrics" namespace: the quarterly cycle.
urlpatterns = [
    path("sessions/open-next/", session_cycle.OpenNextView.as_view(), name="session_open_next"),
    path(
        "sessions/<int:session_id>/edit/",
        session_cycle.SessionEditView.as_view(),
        name="session_edit",
    ),
]
