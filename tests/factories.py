"""factory_boy factories for the domain; tests build exactly the rows they need."""

from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from metrics import models
from metrics.caching.versions import data_version_bump


class WriteFactory(factory.django.DjangoModelFactory):
    """A row a test makes outside the services is a write like any other: it bumps the
    data version (what the services do explicitly), so that a page read before it and again
    after it shows it."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        instance = super()._create(model_class, *args, **kwargs)
        data_version_bump()
        return instance


class UserFactory(WriteFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("pass-word-123")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            for name in extracted:
                self.groups.add(Group.objects.get_or_create(name=name)[0])


class DepartmentFactory(WriteFactory):
    class Meta:
        model = models.Department
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Department {n}")
    slug = factory.Sequence(lambda n: f"department-{n}")


class PriorityFactory(WriteFactory):
    class Meta:
        model = models.Priority
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Priority {n}")
    slug = factory.Sequence(lambda n: f"priority-{n}")


class QuarterFactory(WriteFactory):
    class Meta:
        model = models.Quarter
        django_get_or_create = ("fiscal_year", "number")

    fiscal_year = 2020
    number = 2


class OutcomeFactory(WriteFactory):
    class Meta:
        model = models.Outcome

    priority = factory.SubFactory(PriorityFactory)
    statement = factory.Sequence(lambda n: f"We will reach outcome {n}.")
    order = factory.Sequence(int)


class MetricFactory(WriteFactory):
    class Meta:
        model = models.Metric

    outcome = factory.SubFactory(OutcomeFactory)
    department = factory.SubFactory(DepartmentFactory)
    name = factory.Sequence(lambda n: f"Metric {n} increases YoY")
    slug = factory.Sequence(lambda n: f"metric-{n}")
    unit = models.Unit.COUNT
    unit_suffix = "/mo"
    direction = models.Direction.INCREASE
    cadence = models.Cadence.MONTHLY
    baseline_value = Decimal("99000")
    baseline_text = "99K/month"
    goal_kind = models.GoalKind.YOY_CHANGE
    goal_value = Decimal("5")
    goal_text = "+5% YoY"
    order = factory.Sequence(int)


class SegmentFactory(WriteFactory):
    class Meta:
        model = models.Segment

    metric = factory.SubFactory(MetricFactory)
    name = factory.Sequence(lambda n: f"Segment {n}")
    slug = factory.Sequence(lambda n: f"segment-{n}")
    order = factory.Sequence(int)


class ObservationFactory(WriteFactory):
    class Meta:
        model = models.Observation

    metric = factory.SubFactory(MetricFactory)
    segment = None
    period_start = factory.Sequence(
        lambda n: __import__("datetime").date(2000 + n // 12, n % 12 + 1, 1)
    )
    period_end = factory.LazyAttribute(
        lambda o: __import__("metrics.fiscal", fromlist=["month_end"]).month_end(o.period_start)
    )
    value = Decimal("100")


class QuarterlyStatusFactory(WriteFactory):
    class Meta:
        model = models.QuarterlyStatus

    metric = factory.SubFactory(MetricFactory)
    segment = None
    quarter = factory.SubFactory(QuarterFactory)
    state = models.StatusState.REPORTED
    value = Decimal("92000")


class ObjectiveFactory(WriteFactory):
    class Meta:
        model = models.Objective

    priority = factory.SubFactory(PriorityFactory)
    department = factory.SubFactory(DepartmentFactory)
    fiscal_year = 2020
    short_name = factory.Sequence(lambda n: f"OBJ{n}")
    slug = factory.Sequence(lambda n: f"objective-{n}")
    title = factory.Sequence(lambda n: f"Objective {n}")
    statement = "Build useful features."


class KeyResultFactory(WriteFactory):
    class Meta:
        model = models.KeyResult

    objective = factory.SubFactory(ObjectiveFactory)
    code = factory.Sequence(lambda n: f"KR{n}")
    description = "Ship two tools."
    goal_text = "2 tools"


class KeyResultStatusFactory(WriteFactory):
    class Meta:
        model = models.KeyResultStatus

    key_result = factory.SubFactory(KeyResultFactory)
    quarter = factory.SubFactory(QuarterFactory)
    text = "In progress"


class TuningSessionFactory(WriteFactory):
    class Meta:
        model = models.TuningSession

    priority = factory.SubFactory(PriorityFactory)
    quarter = factory.SubFactory(QuarterFactory)
    title = factory.Sequence(lambda n: f"Tuning Session {n}")


def observe_quarter(metric, quarter, value, *, segment=None, is_derived=False):
    """One observation covering the whole fiscal `quarter` (a metrics.fiscal.FiscalQuarter)."""
    return ObservationFactory(
        metric=metric,
        segment=segment,
        period_start=quarter.start_date,
        period_end=quarter.end_date,
        value=Decimal(str(value)),
        is_derived=is_derived,
    )


class WebhookEndpointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.WebhookEndpoint

    name = factory.Sequence(lambda n: f"Receiver {n}")
    url = "https://hooks.example.org/okr"
    secret = "a-shared-secret-of-some-length"
    events = factory.LazyFunction(
        lambda: ["status.saved", "submission.changed", "session.opened", "session.held"]
    )
