from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Department(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    leads = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="led_departments",
        help_text="Department leads may edit this department's statuses and narratives.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Priority(models.Model):
    """A medium-term-plan theme such as Thriving Movement."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = _("priorities")

    def __str__(self):
        return self.name


class Outcome(models.Model):
    """A medium-term-plan outcome: "We will welcome and support newcomers." """

    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="outcomes")
    statement = models.TextField()
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["priority", "order", "id"]

    def __str__(self):
        return self.statement
