"""After an edit conflict (services.versioned.is_stale said the row moved since it was read),
every page rebinds its form the same way: the row as it is now, with what this person edited
typed over it, at the row's current version, and `seen` saying the page showed exactly that.
Saving it again as shown writes nothing: the other person's values stay. Ticking the row's
"keep mine" replaces theirs with what the row shows, in the fields that differ from what is
stored, and only in those (docs/architecture.md, "Edit conflicts")."""

import json
from collections.abc import Iterable, Mapping


def data_after_conflict(form, *, edited: Iterable[str], stored: Mapping[str, str]):
    """The form's posted data with every field this person did not edit (the version
    included) set to what is stored now. `stored` maps the form's (prefixed) keys to the
    stored values as the form posts them."""
    edited = set(edited)
    data = form.data.copy()
    for name in form.fields:
        if name in edited:
            continue  # as typed, an unticked box included
        key = form.add_prefix(name)
        data.pop(key, None)
        if key in stored:
            data[key] = stored[key]
    seen_key = form.add_prefix("seen")
    seen = json.loads(stored.get(seen_key) or "{}")
    seen.update({name: form.cleaned_data[name] for name in edited if name in form.cleaned_data})
    data[seen_key] = json.dumps(seen, default=str)
    return data
