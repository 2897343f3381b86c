from django.urls import path

from metrics.views import threads

# Comment threads (docs/threads.md). Included by metrics/urls.py under "metrics".
urlpatterns = [
    path(
        "sessions/<int:session_id>/discussion/",
        threads.DiscussionView.as_view(),
        name="session_discussion",
    ),
    path(
        "sessions/<int:session_id>/threads/<str:target_key>/",
        threads.ThreadView.as_view(),
        name="thread",
    ),
    path(
        "sessions/<int:session_id>/threads/<str:target_key>/resolve/",
        threads.ThreadResolutionView.as_view(resolved=True),
        name="thread_resolve",
    ),
    path(
        "sessions/<int:session_id>/threads/<str:target_key>/reopen/",
        threads.ThreadResolutionView.as_view(resolved=False),
        name="thread_reopen",
    ),
    path("comments/<int:comment_id>/edit/", threads.CommentEditView.as_view(), name="comment_edit"),
]
