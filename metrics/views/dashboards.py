"""The dashboards: one tuning session's deck as pages. Views only pick the selector and the
template; every query lives in metrics/selectors/."""

from functools import cached_property

from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import TemplateView

from metrics import permissions
from metrics.charts import metric_charts
from metrics.models import Attainment
from metrics.selectors.cell_history import key_result_status_history, status_history
from metrics.selectors.charts import metric_chart_data
from metrics.selectors.comparison import compare_sessions
from metrics.selectors.deck import session_deck
from metrics.selectors.job_runs import recompute_pending_count
from metrics.selectors.overview import departments, last_recompute, submissions_for_quarter
from metrics.selectors.session_cycle import submission_progress
from metrics.selectors.sessions import latest_session_id, session_choices
from metrics.selectors.snapshots import presented_chart_data, session_chart_data
from metrics.services.validation import ascii_int


class ReadAccessMixin(AccessMixin):
    """Any signed-in role reads the dashboards; anonymous visitors go to the login page."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not permissions.can_read(request.user):
            raise PermissionDenied("Your account has no role that may read the dashboards.")
        return super().dispatch(request, *args, **kwargs)


class HomeView(ReadAccessMixin, TemplateView):
    """The latest session's deck; a short note when there is no session yet."""

    template_name = "metrics/home.html"

    def get(self, request, *args, **kwargs):
        session_id = latest_session_id()
        if session_id is not None:
            return redirect("metrics:session", session_id=session_id)
        return super().get(request, *args, **kwargs)


class SessionPageMixin(ReadAccessMixin):
    """Pages of one session: the deck, the session switcher and which tab is active."""

    section = ""

    @cached_property
    def deck(self):
        return session_deck(self.kwargs["session_id"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            deck=self.deck,
            sessions=session_choices(),
            section=self.section,
            can_facilitate=permissions.can_facilitate(self.request.user),
        )
        return context


class SessionView(SessionPageMixin, TemplateView):
    """S1: overview, progress and challenges, key deliverables, actions."""

    template_name = "metrics/session.html"
    section = "session"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.deck.session_state != "held":
            # In preparation: who has submitted the session's quarter so far.
            context["submissions"] = submissions_for_quarter(self.deck.quarter_id, departments())
            context["progress"] = submission_progress(context["submissions"])
        return context


class MetricsTablesView(SessionPageMixin, TemplateView):
    """S2-S6 (S17 for the earlier session): the metrics tables, one slide per outcome."""

    template_name = "metrics/metrics_tables.html"
    section = "metrics"


class MetricView(SessionPageMixin, TemplateView):
    """One metric: its table row and its charts."""

    template_name = "metrics/metric.html"
    section = "metrics"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        slug = self.kwargs["metric_slug"]
        row = self.deck.metric(slug) or next(
            (
                kr.metric_row
                for objective in self.deck.objectives
                for kr in objective.key_results
                if kr.metric_row and kr.metric_row.slug == slug
            ),
            None,
        )
        if row is None:
            raise Http404("This session has no such metric.")
        data = None
        if self.deck.session_state == "held":  # the charts as presented
            data = presented_chart_data(self.deck.session_id, [row.metric_id]).get(row.metric_id)
        if data is None:
            data = metric_chart_data(row.metric_id, until=self.deck.quarter_end_date)
        context.update(
            current_slug=slug,
            row=row,
            outcome=self.deck.outcome_of(slug),
            charts=metric_charts(row, data),
            chart_data=data,
        )
        return context


class ObjectiveView(SessionPageMixin, TemplateView):
    """S7-S15: objective, narrative, key results, drill-downs."""

    template_name = "metrics/objective.html"
    section = "objectives"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        objective = self.deck.objective(self.kwargs["objective_slug"])
        if objective is None:
            raise Http404("This session has no such objective.")
        context.update(objective=objective, current_slug=objective.slug)
        return context


class OverviewView(SessionPageMixin, TemplateView):
    """Every objective and metric of the session with its goal attainment."""

    template_name = "metrics/overview.html"
    section = "overview"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        all_departments = departments()
        chosen = self.request.GET.get("department", "")
        if chosen and chosen not in {d.slug for d in all_departments}:
            chosen = ""
        outcomes = [
            (group, [m for m in group.metrics if not chosen or m.department_slug == chosen])
            for group in self.deck.outcomes
        ]
        shown = [row for _, rows in outcomes for row in rows]
        submissions = submissions_for_quarter(self.deck.quarter_id, all_departments)
        context.update(
            departments=all_departments,
            department=chosen,
            tally=[
                {"attainment": value, "count": sum(1 for r in shown if r.attainment == value)}
                for value in Attainment.values
            ],
            outcomes=[(group, rows) for group, rows in outcomes if rows],
            objectives=[
                o for o in self.deck.objectives if not chosen or o.department_slug == chosen
            ],
            submissions=submissions,
            progress=submission_progress(submissions),
            recomputed_at=last_recompute(),
            recompute_pending=recompute_pending_count(),
        )
        return context


class AppendixView(SessionPageMixin, TemplateView):
    """S16: acronyms."""

    template_name = "metrics/appendix.html"
    section = "appendix"


class PrintDeckView(SessionPageMixin, TemplateView):
    """Every screen in deck order, one slide per section: print it to PDF to get the deck.
    Charts appear for the metrics the deck charts (those with a chart title)."""

    template_name = "metrics/print_deck.html"
    section = "print"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = [row for row in self.deck.metric_rows if row.chart_title]
        data = session_chart_data(
            self.deck, [row.metric_id for row in rows], until=self.deck.quarter_end_date
        )
        charted = [
            {"row": row, "charts": metric_charts(row, data[row.metric_id])}
            for row in rows
            if row.metric_id in data
        ]
        charted = [item for item in charted if item["charts"]]
        context.update(charted=charted, charts=[c for item in charted for c in item["charts"]])
        return context


class CompareView(ReadAccessMixin, TemplateView):
    """Two sessions side by side (?before=ID&after=ID; defaults: the two latest)."""

    template_name = "metrics/compare.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        sessions = session_choices()
        ids = [s.session_id for s in sessions]
        before, after = self._chosen("before", ids), self._chosen("after", ids)
        if after is None and ids:
            after = ids[0]
        if before is None and len(ids) > 1:
            before = ids[1] if ids[1] != after else ids[0]
        context.update(sessions=sessions, before_id=before, after_id=after, section="compare")
        if before is not None and after is not None:
            context["comparison"] = compare_sessions(before, after)
        return context

    def _chosen(self, name, ids):
        chosen = ascii_int(self.request.GET.get(name, ""))
        return chosen if chosen in ids else None


class CellHistoryView(ReadAccessMixin, TemplateView):
    """Every change of one cell (a metric's or a key result's), and what it read after each."""

    template_name = "metrics/cell_history.html"
    key_result = False

    def get_context_data(self, **kwargs):
        status_id = self.kwargs["status_id"]
        if self.key_result:
            history = key_result_status_history(status_id=status_id)
        else:
            history = status_history(status_id=status_id)
        if history is None:
            raise Http404("No such cell.")
        session = self.request.GET.get("session", "")
        return super().get_context_data(
            history=history, back_url=self._back_url(history, session), **kwargs
        )

    def _back_url(self, history, session: str) -> str:
        """The page the cell was opened from, when the link said which session it was."""
        if ascii_int(session) is None:
            return ""
        if self.key_result:
            return reverse(
                "metrics:objective",
                kwargs={
                    "session_id": int(session),
                    "objective_slug": history.status.key_result.objective.slug,
                },
            )
        return reverse(
            "metrics:metric",
            kwargs={"session_id": int(session), "metric_slug": history.status.metric.slug},
        )
