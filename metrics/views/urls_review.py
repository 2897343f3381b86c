from django.urls import path

from metrics.views import review

# Included by metrics/urls.py under the "metrics" namespace: the review loop (docs/review.md).
urlpatterns = [
    path("sessions/<int:session_id>/review/", review.ReviewView.as_view(), name="session_review"),
    path("sessions/<int:session_id>/hold/", review.HoldConfirmView.as_view(), name="session_hold"),
    path(
        "sessions/<int:session_id>/delete/",
        review.DeleteConfirmView.as_view(),
        name="session_delete",
    ),
]
