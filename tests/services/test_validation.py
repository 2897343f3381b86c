"""The shared checks every write service makes before it writes."""

import pytest
from django.core.exceptions import ValidationError

from metrics.services.validation import validate_known_fields


def test_fields_the_service_allows_pass():
    validate_known_fields({"title": "x", "objective": None}, {"title", "objective"})


def test_each_field_the_service_does_not_allow_is_an_error_on_that_field():
    with pytest.raises(ValidationError) as raised:
        validate_known_fields({"title": "x", "version": 3, "id": 1}, ("title",))

    assert raised.value.message_dict == {
        "id": ["This field cannot be set here."],
        "version": ["This field cannot be set here."],
    }
