from django.urls import path

from metrics.views.home import HomeView

app_name = "metrics"
urlpatterns = [
    path("", HomeView.as_view(), name="home"),
]
