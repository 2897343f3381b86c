from django.db import models
from django.db.models import Q

from metrics.fiscal import FiscalQuarter, fiscal_year_label


class QuarterQuerySet(models.QuerySet):
    def get_or_create_fiscal(self, fiscal_year: int, number: int) -> "Quarter":
        quarter, _ = self.get_or_create(fiscal_year=fiscal_year, number=number)
        return quarter


class Quarter(models.Model):
    """One fiscal quarter. Dates are derived from the fiscal calendar (metrics/fiscal.py) on
    save, so that the dashboards can filter observations by date range in SQL; they are a
    copy, so changing FISCAL_YEAR_START_MONTH on a live database needs every quarter saved
    again."""

    fiscal_year = models.PositiveSmallIntegerField(
        help_text="Calendar year the fiscal year starts in (2020 for FY20-21)."
    )
    number = models.PositiveSmallIntegerField()
    start_date = models.DateField(editable=False)
    end_date = models.DateField(editable=False)
    status_deadline = models.DateField(
        null=True, blank=True, help_text="Departments submit their status for this quarter by then."
    )

    objects = QuarterQuerySet.as_manager()

    class Meta:
        ordering = ["fiscal_year", "number"]
        constraints = [
            models.UniqueConstraint(fields=["fiscal_year", "number"], name="quarter_unique"),
            models.CheckConstraint(
                condition=Q(number__gte=1) & Q(number__lte=4), name="quarter_number_1_to_4"
            ),
            models.CheckConstraint(
                condition=Q(end_date__gt=models.F("start_date")), name="quarter_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["start_date", "end_date"])]

    def __str__(self):
        return self.label

    def save(self, *args, **kwargs):
        fiscal = self.fiscal  # raises ValueError for a quarter outside 1-4
        self.start_date, self.end_date = fiscal.start_date, fiscal.end_date
        super().save(*args, **kwargs)

    @classmethod
    def unsaved(cls, fiscal_year: int, number: int) -> "Quarter":
        """The quarter as it will be stored, without storing it (for pages that only read)."""
        fiscal = FiscalQuarter(fiscal_year, number)
        return cls(
            fiscal_year=fiscal_year,
            number=number,
            start_date=fiscal.start_date,
            end_date=fiscal.end_date,
        )

    @property
    def fiscal(self) -> FiscalQuarter:
        return FiscalQuarter(self.fiscal_year, self.number)

    @property
    def label(self) -> str:
        return self.fiscal.label

    @property
    def fiscal_year_label(self) -> str:
        return fiscal_year_label(self.fiscal_year)
