"""Everything okrtracker caches, in one package (the map: docs/caching.md).

- versions.py: what cached things are keyed by. The structure version and one figures
  version per department (`DataVersion` rows), read once per request; writes say what they
  changed (`data_write`, `data_changed`) and bump once at the end of their transaction. A
  held session's content is keyed by its hold instead (`HoldToken`).
- keys.py: every key and ETag part: the release of the code, the version, the reader
  (`reader_key`: role, staff flag, led departments, language), what the view reads. Session
  pages put them together for their `{% cache %}` fragments in views/dashboards.py
  (`SessionPageMixin._key`: page_key, chrome_key).
- store.py: the shared store (Django's cache): values (`cached`), whole responses under
  their ETag, API list counts, claims. The templates' `{% cache %}` fragments are stored by
  Django's tag in the same cache.
- http.py: conditional GET: ETag/304, and serving stored responses (stored on the way out
  by metrics/compression.py).
- decks.py: the per-process stores (decks by version, held decks' stored data) and the
  held-snapshot read path (parts of the stored JSON read in SQL).
- compiled.py: constant queries compiled to SQL once per process.
- backend.py: the Redis cache that falls through to a per-process store during an outage.

No other module keeps a per-process store of data or touches Django's cache: the check-in
reminders' once-a-day claim (`store.daily_claim`) and the readiness probe's round trip
(`store.round_trip`, which asks Redis itself, past the fallback) live here too; DRF's
throttles count in the same cache. The sign-in limits are counted in the database
(metrics/accounts.py), not in the cache.
"""
