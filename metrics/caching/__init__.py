"""Everything okrtracker caches, in one package (the map: docs/caching.md).

- versions.py: what cached things are keyed by. The structure version and one figures
  version per department (`DataVersion` rows), read once per request; writes say what they
  changed (`data_write`, `data_changed`) and bump once at the end of their transaction. A
  held session's content is keyed by its hold instead (`HoldToken`).
- keys.py: every key and ETag part: the release of the code, the version, the reader
  (`reader_key`: role and led departments), what the view reads.
- store.py: the shared store (Django's cache): values (`cached`), template fragments
  (`fragment_key`), whole responses under their ETag, API list counts, claims.
- http.py: conditional GET: ETag/304, and serving stored responses (stored on the way out
  by metrics/compression.py).
- decks.py: the per-process stores (decks by version, held decks' stored data) and the
  held-snapshot read path (parts of the stored JSON read in SQL).
- compiled.py: constant queries compiled to SQL once per process.
- backend.py: the Redis cache that falls through to a per-process store during an outage.

No other module imports django.core.cache or keeps a per-process store of data, but for the
sign-in limits' counters (metrics/accounts.py), which count through the same backend.
"""
