"""The stored search vectors the header's search reads on PostgreSQL (docs/threads.md).

Each searched table carries a generated column, `search_vector`, that PostgreSQL computes
from the row's texts whenever the row is written (`GENERATED ALWAYS AS (...) STORED`), with a
GIN index on it. So a search is an index lookup, and no write path can forget to maintain
it: services, the admin, `loaddata` of the seed and `generate_demo_data`'s bulk inserts all
store it alike. The indexes are built without GIN's pending list (`fastupdate = off`): a
batch of new comments would otherwise sit in an unindexed list that every search reads
through until the next vacuum (12 ms for 20,000 comments, against 0.1 ms indexed), and these
tables are written a row at a time. The columns are not Django fields (Django models cannot declare a
PostgreSQL-only column): the migration adds them on PostgreSQL only and the search selector
names them in SQL; SQLite has none and keeps a substring match.

(table, [(column, weight)]): the texts of a row and how much a match in each weighs.
"""

SEARCH_COLUMN = "search_vector"

SEARCHED = {
    "metrics_metric": [("name", "A"), ("slug", "A"), ("description", "B")],
    "metrics_objective": [("short_name", "A"), ("title", "A"), ("statement", "B"), ("narrative", "C")],
    "metrics_keyresult": [("code", "A"), ("description", "A"), ("goal_text", "B")],
    "metrics_tuningsession": [
        ("title", "A"),
        ("overview", "B"),
        ("progress_challenges", "B"),
        ("actions", "C"),
    ],
    "metrics_sessionobjective": [("narrative", "B")],
    "metrics_keyresultstatus": [("text", "B"), ("comment", "C")],
    "metrics_comment": [("body", "B")],
}  # fmt: skip


def vector_sql(columns) -> str:
    """The tsvector expression of a row (immutable: the text search configuration is named)."""
    return " || ".join(
        f"setweight(to_tsvector('english'::regconfig, coalesce({column}, '')), '{weight}')"
        for column, weight in columns
    )


def search_columns_add(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, columns in SEARCHED.items():
        schema_editor.execute(
            f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {SEARCH_COLUMN} tsvector "
            f"GENERATED ALWAYS AS ({vector_sql(columns)}) STORED"
        )
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {table}_search_gin ON {table} "
            f"USING gin ({SEARCH_COLUMN}) WITH (fastupdate = off)"
        )


def search_columns_drop(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in SEARCHED:
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS {SEARCH_COLUMN}")
