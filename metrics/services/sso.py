"""Signing in through the organisation's OpenID provider: the one write of a sign-in.

The provider's verified claims create or link the account and set its role and led
departments from the provider's groups, at every sign-in, so the provider stays the source
of truth: a person moved out of a group loses that role at their next sign-in.
"""

import logging
import re

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import SuspiciousOperation
from django.utils import timezone

from metrics.caching.versions import data_changed, data_write
from metrics.models import Department, ExternalIdentity
from metrics.permissions import Role

logger = logging.getLogger(__name__)

ROLE_GROUPS = [role.value for role in Role if role != Role.NONE]


def sso_user_sign_in(*, issuer: str, claims: dict, groups: list[str], mapping):
    """The account for these verified claims (`sub`, `email`), created or linked, with its
    roles and led departments brought in line with `groups` through `mapping`."""
    User = get_user_model()
    subject, email = str(claims["sub"]), claims["email"].strip()
    with data_write():
        identity = (
            ExternalIdentity.objects.select_for_update()
            .select_related("user")
            .filter(issuer=issuer, subject=subject)
            .first()
        )
        if identity is None:
            user = _linked_or_created(User, email=email, claims=claims)
            identity = ExternalIdentity(user=user, issuer=issuer, subject=subject)
        user = identity.user
        if not user.is_active:
            raise SuspiciousOperation(f"The account {user.get_username()} is deactivated.")
        identity.email, identity.groups, identity.last_sign_in = email, groups, timezone.now()
        identity.save()
        if mapping.manages_roles or mapping.manages_leads:
            _roles_apply(user, roles=mapping.roles_for(groups))
        if mapping.manages_leads:
            _leads_apply(user, slugs=mapping.departments_for(groups))
    return user


def _linked_or_created(User, *, email: str, claims: dict):
    matches = list(User.objects.filter(email__iexact=email)[:2])
    if len(matches) > 1:
        # Two accounts share the address: linking either would be a guess.
        raise SuspiciousOperation(
            f"Several accounts have the email {email}; an admin must merge them."
        )
    if matches:
        logger.info("SSO: linked %s to the existing account %s.", email, matches[0].get_username())
        return matches[0]
    user = User(
        username=_free_username(User, claims.get("preferred_username") or email.split("@")[0]),
        email=email,
        first_name=(claims.get("given_name") or "")[:150],
        last_name=(claims.get("family_name") or "")[:150],
    )
    # Signs in through the provider only, until someone sets a password on purpose.
    user.set_unusable_password()
    user.save()
    logger.info("SSO: created the account %s for %s.", user.get_username(), email)
    return user


def _free_username(User, wanted: str) -> str:
    base = re.sub(r"[^\w.@+-]", "", wanted)[:140] or "user"
    name, suffix = base, 1
    while User.objects.filter(username__iexact=name).exists():
        suffix += 1
        name = f"{base}-{suffix}"
    return name


def _roles_apply(user, *, roles: set[Role]) -> None:
    wanted = {role.value for role in roles}
    current = set(user.groups.filter(name__in=ROLE_GROUPS).values_list("name", flat=True))
    if wanted != current:
        user.groups.remove(*Group.objects.filter(name__in=current - wanted))
        user.groups.add(*Group.objects.filter(name__in=wanted - current))
        data_changed()  # roles are structure: pages list who leads what
        logger.info("SSO: %s now has the roles %s.", user.get_username(), sorted(wanted) or "none")
    # The Django admin opens for the admin role (superusers keep theirs whatever the groups).
    is_staff = user.is_superuser or Role.ADMIN in roles
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])
    user.__dict__.pop("_okr_group_names", None)


def _leads_apply(user, *, slugs: set[str]) -> None:
    wanted = set(Department.objects.filter(slug__in=slugs).values_list("pk", flat=True))
    unknown = slugs - set(Department.objects.filter(pk__in=wanted).values_list("slug", flat=True))
    if unknown:
        logger.warning("SSO: the group mapping names unknown departments %s.", sorted(unknown))
    current = set(user.led_departments.values_list("pk", flat=True))
    if wanted != current:
        user.led_departments.set(wanted)
        data_changed()
    user.__dict__.pop("_okr_led_department_ids", None)
