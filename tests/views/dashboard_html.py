"""Reading the dashboards' HTML the way a person reads the slide: cell texts by position."""

import re
from html.parser import HTMLParser

VOID = {"br", "img", "input", "meta", "link", "hr", "wbr", "source", "col", "area"}


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# Links that sit in a cell without being part of what it says (the cell's history).
NOT_CELL_TEXT = {"cell-history-link", "thread-count", "thread-add"}


class _CellCollector(HTMLParser):
    """Collects the text of every element carrying `attribute`, keyed by its value (what
    the slide prints: not the history links)."""

    def __init__(self, attribute: str):
        super().__init__(convert_charrefs=True)
        self.attribute = attribute
        self.cells: dict[str, str] = {}
        self.order: list[str] = []
        self._stack: list[tuple[str, str | None]] = []
        self._buffers: dict[str, list[str]] = {}
        self._skipping: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        attributes = dict(attrs)
        key = attributes.get(self.attribute)
        if NOT_CELL_TEXT & set((attributes.get("class") or "").split()):
            self._skipping = tag
        self._stack.append((tag, key))
        if key is not None:
            self._buffers[key] = []
            self.order.append(key)

    def handle_endtag(self, tag):
        if self._skipping == tag:
            self._skipping = None
        while self._stack:
            open_tag, key = self._stack.pop()
            if key is not None:
                self.cells[key] = squash("".join(self._buffers.pop(key)))
            if open_tag == tag:
                break

    def handle_data(self, data):
        if self._skipping:
            return
        for buffer in self._buffers.values():
            buffer.append(data)


def cells_by(html: str, attribute: str = "data-cell") -> dict[str, str]:
    parser = _CellCollector(attribute)
    parser.feed(html)
    return parser.cells


def ordered_values(html: str, attribute: str) -> list[str]:
    parser = _CellCollector(attribute)
    parser.feed(html)
    seen = []
    for key in parser.order:
        if key not in seen:
            seen.append(key)
    return seen


def page_text(html: str) -> str:
    html = re.sub(r"<script.*?</script>", " ", html, flags=re.S)
    return squash(re.sub(r"<[^>]+>", " ", html))
