"""The review loop's API routes (docs/review.md), included under /api/v1/ by metrics/api/urls.py."""

from django.urls import path

from metrics.api.views import review

urlpatterns = [
    path("submissions/", review.CheckinsView.as_view(), name="submissions"),
    path("submissions/submit/", review.SubmissionSubmitView.as_view(), name="submission-submit"),
    path(
        "submissions/withdraw/",
        review.SubmissionWithdrawView.as_view(),
        name="submission-withdraw",
    ),
    path("submissions/approve/", review.SubmissionApproveView.as_view(), name="submission-approve"),
    path("submissions/return/", review.SubmissionReturnView.as_view(), name="submission-return"),
]
