"""Property-based check of the whole API against its own OpenAPI schema: schemathesis
generates valid and invalid requests for every operation from the served schema and runs them through the WSGI
app, authenticated as an admin with a token. Any 5xx, any answer the schema does not
describe (status code, content type, headers or body), or schema-violating input accepted
fails the test."""

import os

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS as CHECK_REGISTRY
from schemathesis.checks import load_all_checks
from schemathesis.config import SchemathesisConfig

from metrics import models
from metrics.models.threads import SESSION_KEY
from metrics.services.threads import thread_comment_add
from tests import factories

# Per operation and mode: 100 in CI (CI=true), 5 for a quick local run; SCHEMATHESIS_EXAMPLES
# sets any other number.
EXAMPLES_PER_OPERATION = int(
    os.environ.get(
        "SCHEMATHESIS_EXAMPLES", "100" if os.environ.get("CI", "").lower() == "true" else "5"
    )
)
load_all_checks()

# Every check schemathesis has: server errors, status codes, content types, headers, bodies,
# schema-violating data rejected (negative_data_rejection), schema-valid data accepted
# (positive_data_acceptance), unsupported methods, Allow headers, ignored auth, object
# authorisation.
CHECKS = list(CHECK_REGISTRY.get_all())


def known_rows_config(world) -> SchemathesisConfig:
    """The ids and slugs of rows that exist, bound to the parameters that name a row, as
    schemathesis' documentation advises ("Seed known IDs": dictionaries bound to parameters).
    A schema can say "an integer", not "the id of a metric": a schema-valid id of no row is a
    400 naming the field (bodies, filters) or a 404 (paths), both tested elsewhere
    (tests/api/test_bad_input.py, test_filter_values.py). Negative cases still draw anything.
    """
    # A metric in index points (any sign) so that a value the schema allows fits its unit
    # (a count is never negative, a percentage lies in 0-100: rules of the metric, not of
    # the request's shape); monthly, so October 2020 is one of its periods.
    metric = factories.MetricFactory(
        outcome=world.outcome, department=world.department, unit=models.Unit.INDEX
    )
    segment = factories.SegmentFactory(metric=metric)
    # A comment thread on the session, so that replies and thread filters name real rows.
    comment = thread_comment_add(
        actor=get_user_model().objects.get(username="ada"),
        session=world.session,
        target_key=SESSION_KEY,
        body="Why?",
    )
    values = {
        "metric_ids": [metric.pk],
        "metric_keys": [str(metric.pk), metric.slug],
        "segment_ids": [segment.pk],
        "segment_keys": [str(segment.pk), segment.slug],
        "key_result_ids": [world.key_result.pk],
        "quarter_ids": [world.quarter.pk],
        "session_ids": [world.session.pk],
        "outcome_ids": [world.outcome.pk],
        "department_keys": [world.department.slug, world.other_department.slug],
        "priority_keys": [world.priority.slug],
        "objective_keys": [world.objective.slug],
        # Which periods a metric takes depends on its cadence and on today (never ahead):
        # one of its periods.
        "period_starts": ["2020-10-01"],
        "period_ends": ["2020-10-31"],
        # Opening the next session (Q3 FY20-21): a status deadline once that quarter began.
        "status_deadlines": ["2021-04-15"],
        # A deck's parts run from 1 to as many as its size makes (a small deck: one).
        "part_numbers": [1],
        "thread_ids": [comment.thread_id],
        "comment_ids": [comment.pk],
        "target_keys": [SESSION_KEY],
    }
    bindings = {
        "body.metric": "metric_ids",
        "body.segment": "segment_ids",
        "body.key_result": "key_result_ids",
        "body.quarter": "quarter_ids",
        "body.period_start": "period_starts",
        "body.period_end": "period_ends",
        "body.department": "department_keys",
        "body.status_deadline": "status_deadlines",
        "body.rows[*].metric": "metric_keys",
        "body.rows[*].segment": "segment_keys",
        "query.metric": "metric_keys",
        "query.segment": "segment_ids",
        "query.key_result": "key_result_ids",
        "query.quarter": "quarter_ids",
        "query.session": "session_ids",
        "query.outcome": "outcome_ids",
        "query.department": "department_keys",
        "query.priority": "priority_keys",
        "query.objective": "objective_keys",
        "query.part": "part_numbers",
        "query.thread": "thread_ids",
        "body.session": "session_ids",
        "body.target_key": "target_keys",
        "body.in_reply_to": "comment_ids",
    }
    return SchemathesisConfig.from_dict(
        {
            # The token endpoint grants credentials: a well-formed request with a wrong
            # password is refused (400), which schemathesis expects once it knows the path.
            "auth": {
                "dynamic": {
                    "openapi": {
                        "tokenAuth": {
                            "path": "/api/v1/auth/token/",
                            "payload": {"username": "ada", "password": "pass-word-123"},
                            "extract_selector": "/token",
                        }
                    }
                }
            },
            "dictionaries": {name: {"values": entries} for name, entries in values.items()},
            "parameters": {key: {"dictionary": name} for key, name in bindings.items()},
        }
    )


@pytest.fixture
def wsgi_app_in_test_transaction():
    """The WSGI app would close the test's database connection after every request (Django's
    test client avoids that the same way)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_every_operation_answers_within_its_schema(world, users, wsgi_app_in_test_transaction):
    token = Token.objects.get_or_create(user=users["admin"])[0].key
    # Its WSGI client asks for gzip but does not decompress: ask for the body as it is.
    headers = {"Authorization": f"Token {token}", "Accept-Encoding": "identity"}
    schema = schemathesis.openapi.from_wsgi(
        "/api/v1/schema/?format=json",
        wsgi_app_in_test_transaction,
        config=known_rows_config(world),
        headers=headers,
    )
    failures = []
    operations = 0
    for result, mode in (
        (result, mode)
        for result in schema.get_all_operations()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    ):
        operation = result.ok()
        operations += mode == GenerationMode.POSITIVE

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=True,
            # A failure is reported as found: shrinking it through every check takes minutes.
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def exercise(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            exercise()
        except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001 - collect them all
            failures.append(f"{operation.label} ({mode.value}): {error}")
    assert operations >= 30
    assert not failures, "\n\n".join(failures)
