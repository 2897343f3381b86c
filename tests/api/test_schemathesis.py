"""Property-based check of the whole API against its own OpenAPI schema: schemathesis
generates valid and invalid requests for every operation from the served schema and runs them through the WSGI
app, authenticated as an admin with a token. Any 5xx, any answer the schema does not
describe (status code, content type, headers or body), or schema-violating input accepted
fails the test."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS as CHECK_REGISTRY
from schemathesis.checks import load_all_checks, positive_data_acceptance

EXAMPLES_PER_OPERATION = 5
load_all_checks()

# Every check schemathesis has (server errors, status codes, content types, headers, bodies,
# schema-violating data rejected, unsupported methods, Allow headers, ignored auth, object
# authorisation) except positive_data_acceptance: it expects any schema-valid body to be
# accepted, and the API rightly answers 400 when an id names no row (the schema cannot list
# the ids); see docs/reliability.md for what it still reports.
CHECKS = [check for check in CHECK_REGISTRY.get_all() if check is not positive_data_acceptance]


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
        "/api/v1/schema/?format=json", wsgi_app_in_test_transaction, headers=headers
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
