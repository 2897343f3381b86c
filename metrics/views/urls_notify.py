from django.urls import path

from metrics.views import homes, notifications

# Included by metrics/urls.py under the "metrics" namespace: notifications and the home.
urlpatterns = [
    path("notifications/", notifications.InboxView.as_view(), name="inbox"),
    path(
        "notifications/<int:notification_id>/open/",
        notifications.NotificationOpenView.as_view(),
        name="notification_open",
    ),
    path(
        "notifications/count/", notifications.UnreadCountView.as_view(), name="notification_count"
    ),
    path(
        "notifications/preferences/",
        notifications.PreferencesView.as_view(),
        name="notification_preferences",
    ),
    path("home/seen/", homes.HomeSeenView.as_view(), name="home_seen"),
]
