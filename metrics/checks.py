"""System checks of a deployment (`manage.py check --deploy`) that Django's own do not make."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

from metrics.sso.config import MappingError, group_mapping

LOCAL_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


@register(Tags.security, Tags.caches, deploy=True)
def shared_cache_check(app_configs, **kwargs):
    """Sign-in limits and API throttles count in the cache: a cache local to each process lets
    an attacker try N times per worker, and each worker renders its own pages."""
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend not in LOCAL_CACHES:
        return []
    return [
        Warning(
            "The cache is local to each process: API throttles are counted per worker, not "
            "across the deployment (sign-in limits are counted in the database).",
            hint="Set CACHE_URL (or REDIS_URL) to a Redis shared by every web process.",
            id="okrtracker.W001",
        )
    ]


@register()
def sso_group_map_check(app_configs=None, **kwargs):
    """A mistyped OIDC_GROUP_MAP stops the start, rather than every sign-in."""
    from django.core.checks import Error

    try:
        group_mapping()
    except MappingError as error:
        return [Error(f"OIDC_GROUP_MAP: {error}", id="okrtracker.E010")]
    return []
