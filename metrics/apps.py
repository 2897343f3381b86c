from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "metrics"
    verbose_name = "Metrics and OKRs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from metrics.services.data_version import data_version_signals_connect

        data_version_signals_connect()
