import pytest
from django.core.management import call_command

from metrics.permissions import Role
from metrics.sso.config import MappingError, group_mapping_parse


def test_a_mapping_names_roles_and_led_departments():
    mapping = group_mapping_parse(" okr-admins=admin, okr-product=lead:product,okr-x=viewer,")

    assert mapping.roles_for(["okr-admins", "unknown"]) == {Role.ADMIN}
    assert mapping.roles_for(["okr-product"]) == {Role.LEAD}
    assert mapping.departments_for(["okr-product", "okr-x"]) == {"product"}


@pytest.mark.parametrize(
    "text", ["okr-admins", "okr-admins=root", "=admin", "g=lead", "g=viewer:product"]
)
def test_a_mistyped_mapping_is_refused_with_the_entry(text):
    with pytest.raises(MappingError):
        group_mapping_parse(text)


def test_a_mistyped_mapping_stops_the_start(settings):
    from django.core.management.base import SystemCheckError

    settings.OIDC_GROUP_MAP = "okr-admins=root"

    with pytest.raises(SystemCheckError, match="OIDC_GROUP_MAP"):
        call_command("check")
