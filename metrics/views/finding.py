"""Finding things: the header's search and the objectives index. Thin: the selectors query."""

from functools import cached_property

from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from metrics import permissions
from metrics.caching.store import cached
from metrics.caching.versions import request_data_version
from metrics.selectors.deck_types import DeckWindow
from metrics.selectors.search import search
from metrics.selectors.sessions import session_choices
from metrics.views.dashboards import ReadAccessMixin, SessionPageMixin
from metrics.views.pager import pager_for
from metrics.views.query import query_page, query_text


class SearchView(ReadAccessMixin, TemplateView):
    """`/search/?q=editors`: metrics, objectives, key results, sessions, narratives, status
    texts and comments, linked."""

    template_name = "metrics/search.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        text, user = query_text(self.request, "q"), self.request.user
        # Cached under the data version: a write (a comment too) makes it stale.
        context["results"] = cached(
            request_data_version(self.request),
            ("search", text, permissions.can_read_session(user, None)),
            lambda: search(text, user=user),
        )
        return context


class ObjectivesIndexView(SessionPageMixin, TemplateView):
    """Every objective of a session with its department, target quarter and key results, in
    the pages the deck is cut into (one for a deck of the seed's size)."""

    template_name = "metrics/objectives_index.html"
    section = "objectives"

    @cached_property
    def page_number(self) -> int:
        count = max(1, len(self.layout().objective_pages))
        return query_page(self.request, count, what=_("pages of objectives"))

    def sidebar_pages(self) -> tuple[int, int]:
        return 1, self.page_number

    def page_deck(self):
        return self.header

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        layout, number = self.layout(), self.page_number
        window = DeckWindow(metric_ids=frozenset(), objective_ids=layout.objectives_on(number))
        context.update(
            deck=SimpleLazyObject(lambda: self.deck_part(window)),
            page_key=self.page_key(number),
            pager=pager_for(self.request, number, max(1, len(layout.objective_pages))),
        )
        context.setdefault("sessions", session_choices())
        return context
