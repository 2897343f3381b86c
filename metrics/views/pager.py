"""The links between the pages of a page cut in parts (metrics tables, overview, whole deck):
previous, next and every page by number, keeping the rest of the query (?department=)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class PageLink:
    number: int
    url: str
    is_current: bool
    after_gap: bool = False  # pages were left out before this one ("1 … 7 8 9 … 52")


@dataclass(frozen=True)
class Pager:
    number: int
    count: int
    links: tuple[PageLink, ...]
    name: str  # the query parameter

    previous_url: str
    next_url: str

    @property
    def has_other_pages(self) -> bool:
        return self.count > 1


# Pages linked around the current one; the first and the last are always linked.
NEIGHBOURS = 2


def pager_for(request, number: int, count: int, *, name: str = "page") -> Pager:
    def url(page: int) -> str:
        query = request.GET.copy()
        if page == 1:
            query.pop(name, None)
        else:
            query[name] = str(page)
        return "?" + query.urlencode() if query else request.path

    shown = sorted(
        {1, count} | set(range(max(1, number - NEIGHBOURS), min(count, number + NEIGHBOURS) + 1))
    )
    return Pager(
        number=number,
        count=count,
        links=tuple(
            PageLink(n, url(n), n == number, after_gap=i > 0 and n - shown[i - 1] > 1)
            for i, n in enumerate(shown)
        ),
        name=name,
        previous_url=url(number - 1) if number > 1 else "",
        next_url=url(number + 1) if number < count else "",
    )
