"""SSO settings read at call time (tests and deployments change them through settings)."""

from dataclasses import dataclass

from django.conf import settings

from metrics.permissions import Role

# What a mapping entry may name: a role, or "lead:<department slug>".
ROLE_NAMES = {
    "admin": Role.ADMIN,
    "facilitator": Role.FACILITATOR,
    "executive": Role.EXECUTIVE,
    "viewer": Role.VIEWER,
    "lead": Role.LEAD,
}


class MappingError(ValueError):
    pass


@dataclass(frozen=True)
class GroupMapping:
    """Provider group -> okrtracker role groups and led departments."""

    roles: dict[str, frozenset[Role]]
    leads: dict[str, frozenset[str]]

    @property
    def manages_roles(self) -> bool:
        # No role in the mapping: roles stay managed by hand in okrtracker.
        return bool(self.roles)

    @property
    def manages_leads(self) -> bool:
        return bool(self.leads)

    def roles_for(self, groups) -> set[Role]:
        found = set()
        for group in groups:
            found |= self.roles.get(group, frozenset())
        if self.departments_for(groups):
            found.add(Role.LEAD)
        return found

    def departments_for(self, groups) -> set[str]:
        found = set()
        for group in groups:
            found |= self.leads.get(group, frozenset())
        return found


def sso_enabled() -> bool:
    return bool(settings.OIDC_ISSUER and settings.OIDC_RP_CLIENT_ID)


def password_sign_in_enabled() -> bool:
    # Never off without another way in: with SSO unconfigured, passwords stay on.
    return settings.PASSWORD_SIGN_IN or not sso_enabled()


def provider_name() -> str:
    return settings.OIDC_PROVIDER_NAME


def group_mapping_parse(text: str) -> GroupMapping:
    """`okr-admins=admin, okr-facilitators=facilitator, okr-product=lead:product`: each entry
    a provider group, "=", a role (admin, facilitator, executive, viewer) or lead:<slug>."""
    roles: dict[str, set[Role]] = {}
    leads: dict[str, set[str]] = {}
    for raw in text.split(","):
        entry = raw.strip()
        if not entry:
            continue
        group, sep, target = (part.strip() for part in entry.partition("="))
        if not sep or not group or not target:
            raise MappingError(f"{entry!r}: write each entry as <provider group>=<role>.")
        kind, _, slug = target.partition(":")
        kind = kind.lower()
        if kind == "lead" and slug:
            leads.setdefault(group, set()).add(slug)
        elif kind in ROLE_NAMES and kind != "lead" and not slug:
            roles.setdefault(group, set()).add(ROLE_NAMES[kind])
        else:
            raise MappingError(
                f"{entry!r}: the role must be admin, facilitator, executive, viewer or "
                "lead:<department slug>."
            )
    return GroupMapping(
        roles={g: frozenset(r) for g, r in roles.items()},
        leads={g: frozenset(d) for g, d in leads.items()},
    )


def group_mapping() -> GroupMapping:
    return group_mapping_parse(settings.OIDC_GROUP_MAP)
