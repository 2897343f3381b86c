from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "metrics"
    verbose_name = "Metrics and OKRs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from metrics import wiring  # needs the app registry, hence here

        wiring.connect()
