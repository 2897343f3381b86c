"""Every write made in the admin bumps the data versions (metrics/caching/versions.py): the
admin logs each addition, change and deletion it makes (its LogEntry, for every registered
model, the accounts and their groups included), and each of those logs is followed by one
bump. Explicit, in the admin's own request, with no model signal: a save made elsewhere
(the shell, a script) bumps only if it says so (`data_version_bump`)."""

import functools

from metrics.caching.versions import data_changed

LOGGED_WRITES = ("log_addition", "log_change", "log_deletion", "log_deletions")


def _bumping(log):
    @functools.wraps(log)
    def logged(*args, **kwargs):
        result = log(*args, **kwargs)
        data_changed()
        return result

    return logged


def admin_writes_bump(site) -> None:
    """Make every ModelAdmin registered on `site` bump after each write it logs."""
    for model_admin in site._registry.values():
        if getattr(model_admin, "_okr_writes_bump", False):
            continue
        for name in LOGGED_WRITES:
            log = getattr(model_admin, name, None)
            if log is not None:
                setattr(model_admin, name, _bumping(log))
        model_admin._okr_writes_bump = True
