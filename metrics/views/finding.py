"""Finding things: the header's search and the objectives index. Thin: the selectors query."""

from django.views.generic import TemplateView

from metrics.selectors.search import search
from metrics.selectors.sessions import session_choices
from metrics.views.dashboards import ReadAccessMixin, SessionPageMixin
from metrics.views.query import query_text


class SearchView(ReadAccessMixin, TemplateView):
    """`/search/?q=editors`: metrics, objectives, key results and sessions, linked."""

    template_name = "metrics/search.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["results"] = search(query_text(self.request, "q"))
        return context


class ObjectivesIndexView(SessionPageMixin, TemplateView):
    """Every objective of a session with its department, target quarter and key results."""

    template_name = "metrics/objectives_index.html"
    section = "objectives"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("sessions", session_choices())
        return context
