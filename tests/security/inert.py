"""Reading a rendered page as a browser would, for anything user text could make run: the
hostile payloads (xss_payloads.txt) and the checks that none of them is executable."""

import json
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

from django.conf import settings

PAYLOADS_FILE = Path(__file__).with_name("xss_payloads.txt")
# Tags user text must never add to a page (the admin draws a few SVG icons itself: a page is
# compared with the same page before the payloads went in).
FOREIGN_TAGS = {
    "applet", "base", "embed", "frame", "frameset", "iframe", "isindex", "keygen", "math",
    "object", "svg", "template", "xmp", "plaintext", "listing", "marquee", "image",
}  # fmt: skip
URL_ATTRIBUTES = {
    "action", "background", "code", "codebase", "data", "dynsrc", "formaction", "href",
    "lowsrc", "poster", "src", "xlink:href",
}  # fmt: skip
BAD_SCHEMES = ("javascript:", "vbscript:", "data:text/html", "data:image/svg")
# What {{7*191}}, ${7*191} and friends evaluate to.
EVALUATED = "1337"
INJECTED_MARKER = "xss-injected"


def payloads_load() -> list[str]:
    lines = PAYLOADS_FILE.read_text(encoding="utf-8").splitlines()
    return [
        line.replace("\\n", "\n") for line in lines if line.strip() and not line.startswith("# ")
    ]


class _Scanner(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.shape: Counter = Counter()
        self._script: dict | None = None

    def handle_starttag(self, tag, attrs):
        self._check(tag, attrs)

    def handle_startendtag(self, tag, attrs):
        self._check(tag, attrs)

    def _check(self, tag, attrs):
        problems = self.problems
        if tag in FOREIGN_TAGS:
            self.shape[f"<{tag}>"] += 1
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                problems.append(f"<{tag} {name}=...> event handler")
            if name == "srcdoc":
                problems.append(f"<{tag} srcdoc>")
            if name in URL_ATTRIBUTES:
                # Browsers drop whitespace and control characters inside a scheme.
                squeezed = re.sub(r"[\x00-\x20]", "", value).lower()
                if squeezed.startswith(BAD_SCHEMES):
                    problems.append(f"<{tag} {name}={value[:40]!r}>")
            if name == "style" and re.search(r"javascript:|expression\s*\(", value, re.I):
                problems.append(f"<{tag} style={value[:40]!r}>")
            if name in ("id", "class") and INJECTED_MARKER in value:
                problems.append(f"<{tag} {name}={value!r}>: an element from user text")
            if name == "http-equiv" and value.lower() == "refresh":
                problems.append("<meta http-equiv=refresh>")
        if tag == "script":
            attributes = dict(attrs)
            self._script = {"attrs": attributes, "text": ""}
            if attributes.get("type") != "application/json":  # data, checked below
                self.shape[f"<script src={attributes.get('src')!r}>"] += 1

    def handle_data(self, data):
        if self._script is not None:
            self._script["text"] += data

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            script, self._script = self._script, None
            text = script["text"].strip()
            if not text:
                return
            if script["attrs"].get("type") == "application/json":
                try:
                    json.loads(text)
                except ValueError:
                    self.problems.append("a JSON <script> cut short by user text")
            else:
                self.problems.append(f"an inline <script>: {text[:60]!r}")


def _scan(html: str) -> _Scanner:
    scanner = _Scanner()
    scanner.feed(html)
    scanner.close()
    return scanner


def page_shape(html: str) -> Counter:
    """The page's scripts and foreign elements (SVG, iframes...), counted."""
    return _scan(html).shape


def executable_parts(html: str, *, shape: Counter | None = None) -> list[str]:
    """What in `html` could run or was evaluated: [] for an inert page. `shape` is the
    page_shape of the same page with harmless text: a script or foreign element beyond it
    came from user text."""
    scanner = _scan(html)
    problems = scanner.problems
    added = scanner.shape - (shape or Counter())
    problems += [f"{count} added {item}" for item, count in added.items()]
    if EVALUATED in html:
        problems.append(f"{EVALUATED}: a template expression was evaluated")
    if settings.SECRET_KEY in html:
        problems.append("the SECRET_KEY is in the page")
    return problems
