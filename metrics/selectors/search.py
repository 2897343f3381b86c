"""The header's search: metrics, objectives, key results and sessions matching a few words.

PostgreSQL ranks with its full-text search (English stemming: "editor" finds "Editors"),
and a plain substring match on the name still finds acronyms and half-typed words
("ARMD"); other databases (SQLite) use the substring match alone. One query per kind, each
bounded, plus one for the session the results link into."""

from dataclasses import dataclass

from django.db import connection
from django.db.models import Q, QuerySet

from metrics import models
from metrics.selectors.sessions import latest_session_id

# Longer queries are cut: nobody types more, and it bounds the work of a crafted request.
MAX_QUERY_LENGTH = 100
PER_KIND = 10

# (kind, model, full-text fields with their weight, substring fields)
KINDS = (
    ("metric", models.Metric, (("name", "A"), ("description", "B")), ("name", "slug")),
    (
        "objective",
        models.Objective,
        (("short_name", "A"), ("title", "A"), ("statement", "B"), ("narrative", "C")),
        ("short_name", "title", "statement"),
    ),
    (
        "key_result",
        models.KeyResult,
        (("description", "A"), ("goal_text", "B")),
        ("description", "code"),
    ),
    (
        "session",
        models.TuningSession,
        (("title", "A"), ("overview", "B"), ("actions", "C")),
        ("title",),
    ),
)
KIND_LABELS = {
    "metric": "Metrics",
    "objective": "Objectives",
    "key_result": "Key results",
    "session": "Sessions",
}


@dataclass(frozen=True)
class SearchHit:
    kind: str
    obj: object


@dataclass(frozen=True)
class SearchGroup:
    kind: str
    label: str
    hits: tuple[SearchHit, ...]


@dataclass(frozen=True)
class SearchResults:
    query: str
    groups: tuple[SearchGroup, ...]
    session_id: int | None  # the session whose pages metrics and objectives link to
    full_text: bool

    @property
    def count(self) -> int:
        return sum(len(group.hits) for group in self.groups)


def uses_full_text() -> bool:
    return connection.vendor == "postgresql"


def _related(model) -> QuerySet:
    if model is models.KeyResult:
        return model.objects.select_related("objective")
    if model is models.TuningSession:
        return model.objects.select_related("quarter")
    return model.objects.all()


def _matches(model, text: str, weighted, plain, full_text: bool) -> list:
    contains = Q()
    for field in plain:
        contains |= Q(**{f"{field}__icontains": text})
    queryset = _related(model)
    if not full_text:
        return list(queryset.filter(contains).order_by("pk")[:PER_KIND])
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

    vector = SearchVector(*(SearchVector(f, weight=w, config="english") for f, w in weighted))
    query = SearchQuery(text, search_type="websearch", config="english")
    return list(
        queryset.annotate(document=vector, rank=SearchRank(vector, query))
        .filter(Q(document=query) | contains)
        .order_by("-rank", "pk")[:PER_KIND]
    )


def search(text: str) -> SearchResults:
    text = " ".join((text or "").split())[:MAX_QUERY_LENGTH]
    full_text = uses_full_text()
    if not text:
        return SearchResults(query="", groups=(), session_id=None, full_text=full_text)
    groups = []
    for kind, model, weighted, plain in KINDS:
        hits = _matches(model, text, weighted, plain, full_text)
        if hits:
            groups.append(
                SearchGroup(kind, KIND_LABELS[kind], tuple(SearchHit(kind, h) for h in hits))
            )
    return SearchResults(
        query=text, groups=tuple(groups), session_id=latest_session_id(), full_text=full_text
    )
