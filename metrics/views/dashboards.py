"""The dashboards: one tuning session's deck as pages. Views only pick the selector and the
template; every query lives in metrics/selectors/.

Each page reads what it shows (metrics/selectors/session_pages.py; the whole deck only for
the pages that print all of it), and its content is rendered once per version of what it
shows (metrics/caching/: the structure, the figures of the departments it shows, or a held
session's hold): the templates wrap it in `{% cache %}` under `page_key`, and the data it
needs is built lazily, so a cached page runs no query for it. A reload with nothing changed
is a 304 (ETag)."""

from functools import cached_property
from types import SimpleNamespace

from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.timesince import timesince
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from metrics import permissions
from metrics.caching.decks import deck_for
from metrics.caching.http import ConditionalGetMixin
from metrics.caching.keys import RELEASE, digest, reader_key
from metrics.caching.store import TIMEOUT, cached, cached_many
from metrics.caching.versions import (
    request_data_version,
    session_content_version,
    session_structure_version,
)
from metrics.charts import metric_charts
from metrics.selectors import deck as deck_selectors
from metrics.selectors.cell_history import key_result_status_history, status_history
from metrics.selectors.charts import chart_window_start, metric_chart_data, metrics_chart_data
from metrics.selectors.comparison import compare_sessions
from metrics.selectors.deck import session_deck
from metrics.selectors.deck_departments import (
    deck_part_by_departments,
    objective_departments_cached,
)
from metrics.selectors.deck_layout import (
    DeckLayout,
    EarlierTable,
    deck_layout,
    deck_parts,
    earlier_table,
    earlier_table_part,
    part_window,
)
from metrics.selectors.deck_types import WHOLE_DECK, DeckWindow
from metrics.selectors.job_runs import recompute_state
from metrics.selectors.overview import (
    attainment_tally,
    confidence_tally,
    departments,
    submissions_for_quarter,
)
from metrics.selectors.overview_departments import (
    attainment_tally_of,
    checkin_states_of,
    confidence_tally_of,
    department_figures,
)
from metrics.selectors.review import checkin_progress, held_checkins, held_progress
from metrics.selectors.session_pages import (
    metric_page,
    objective_id_in_session,
    objective_page,
    session_acronyms,
    session_header,
    session_nav,
)
from metrics.selectors.sessions import session_choices
from metrics.selectors.snapshots import held_deck, presented_chart_data, session_chart_data
from metrics.selectors.threads import session_thread_counts
from metrics.views.pager import pager_for
from metrics.views.query import BadQuery, QueryErrorsMixin, query_choice, query_int, query_page
from metrics.views.row_fragments import row_fragments


def _digest(value) -> str:
    return digest(repr(value))


def _known(departments) -> set[int] | None:
    """These departments, or None (every one's figures) when one is unknown or none: a
    metric without a department has its figures invalidate as the structure does."""
    departments = set(departments)
    return None if not departments or None in departments else departments


# S1 alone: the session's texts and key deliverables, no metrics table or objective.
SESSION_TEXTS = DeckWindow(metric_ids=frozenset(), objective_ids=frozenset())


class ReadAccessMixin(QueryErrorsMixin, AccessMixin):
    """Any signed-in role reads the dashboards; anonymous visitors go to the login page."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not permissions.can_read(request.user):
            raise PermissionDenied(_("Your account has no role that may read the dashboards."))
        return super().dispatch(request, *args, **kwargs)


class SessionPageMixin(ReadAccessMixin, ConditionalGetMixin):
    """Pages of one session: its header, the sidebar and the session switcher (each cached
    under the structure version: no figure shows there), which tab is active, and the key
    the page's content is cached under (`page_version`). `deck` is the whole deck, built
    only if the page's cached content is missing."""

    section = ""
    include_charts = False
    # Whether the page's part of the deck is put together from rows cached per department
    # (selectors/deck_departments.py): for the pages that show several departments' rows; a page
    # keyed by its own departments' figures (a metric, an objective) builds its part whole.
    rows_by_department = True
    shows_threads = True  # comment counts beside the cells (docs/threads.md)

    @cached_property
    def version(self):
        return request_data_version(self.request)

    @cached_property
    def header(self):
        session_id = self.kwargs["session_id"]
        return cached(
            self.version.structure_only, ("header", session_id), lambda: session_header(session_id)
        )

    @cached_property
    def structure_version(self):
        """What the layout and the sidebar are keyed by: no figure shows there."""
        return session_structure_version(self.version, self.header)

    @cached_property
    def content_version(self):
        """What the deck and the page's content are keyed by: the data version, or a held
        session's hold (no write changes its stored deck, so a write elsewhere leaves it)."""
        return session_content_version(self.version, self.header)

    def page_departments(self):
        """The departments whose figures the page's content shows (None: every one's)."""
        return None

    def page_departments_cached(self, parts: tuple, compute):
        """`compute()` (a page's departments, or None) kept small under the structure version
        (a held session's: its hold), so that a cached page's ETag reads a few ids, not the
        whole sidebar (1,300 links at scale 100)."""
        key = ("page-departments", self.header.session_id, type(self).__name__, *parts)
        return cached(self.structure_version, key, lambda: (compute(),))[0]

    @cached_property
    def page_version(self):
        """What the page's content and its ETag are keyed by: the content version, or for a
        page that shows some departments' figures only, the structure and theirs (a figure
        saved in another department leaves it cached)."""
        departments = None if self.header.frozen else self.page_departments()
        if departments is None:
            return self.content_version
        return self.version.of_departments(departments)

    @cached_property
    def deck(self):
        return deck_for(
            self.content_version, self.kwargs["session_id"], deck_selectors.session_deck
        )

    def deck_part(self, window: DeckWindow, *, extras: bool = False):
        """The part of the deck a page shows, built alone (a held session's: that part of its
        deck as presented). Without `extras`, the key deliverables and acronyms are left out
        (only S1, the appendix and the whole deck print them)."""
        window = window if extras else window.without_extras()
        header = self.header
        if header.frozen:
            return held_deck(header.session_id, window, frozen=header.frozen)
        if not header.is_held and self.rows_by_department:
            # Its rows from parts cached per department: a save rebuilds its department's.
            return deck_part_by_departments(header, window, version=self.version, nav=self.nav)
        return session_deck(header.session_id, window)

    def layout(self, department: str = "") -> DeckLayout:
        """How the session's deck is cut into pages (cached like the page's content)."""
        header = self.header
        return cached(
            self.structure_version,
            ("layout", header.session_id, department),
            lambda: deck_layout(header, department=department),
        )

    def _key(self, version, *parts) -> str:
        return digest(
            RELEASE,
            version.key,
            self.header.session_id,
            self.section,
            type(self).__name__,
            reader_key(self.request.user),
            *parts,
        )

    def page_key(self, *parts) -> str:
        """What the page's cached content depends on besides its template."""
        return self._key(self.page_version, *parts)

    def chrome_key(self) -> str:
        """The navigation and the sidebar: the same on every page of a section but for the
        page marked current. Under the data version even for a held session: the session
        switcher lists the sessions there are now."""
        slug = self.kwargs.get("metric_slug") or self.kwargs.get("objective_slug") or ""
        return self._key(self.version.structure_only, "chrome", slug, *self.sidebar_pages())

    def etag_version(self):
        return self.page_version

    def etag_parts(self) -> tuple:
        """A held session's ETag names its hold, not the data version: add what its page
        shows that follows the data version (the header and the session switcher) and what
        it shows of the reader (their role's links, their name, the admin link)."""
        if self.content_version is self.version:
            return ()
        version, user = self.version.structure_only, self.request.user
        return (
            user.get_username(),
            user.is_staff,
            cached(
                version,
                ("held-chrome", self.header.session_id),
                lambda: _digest(
                    (self.header, cached(version, ("session-choices",), session_choices))
                ),
            ),
        )

    @cached_property
    def nav(self):
        # A held session's sidebar comes from its stored deck: keyed by its hold.
        header = self.header
        return cached(
            self.structure_version,
            ("nav", header.session_id),
            lambda: session_nav(header),
        )

    def sidebar_pages(self) -> tuple[int, int]:
        """Which page of the metrics and of the objectives the sidebar lists: the part the
        page shows. A session of the seed's size has one page of each: all of it."""
        return 1, 1

    def sidebar(self) -> SimpleNamespace:
        layout = self.layout()
        metrics_page, objectives_page = self.sidebar_pages()
        metric_ids = layout.metrics_on(metrics_page)
        objective_ids = layout.objectives_on(objectives_page)
        return SimpleNamespace(
            metrics=[link for link in self.nav.metrics if link.id in metric_ids],
            objectives=[link for link in self.nav.objectives if link.id in objective_ids],
            metrics_page=metrics_page,
            metrics_pages=layout.metrics_page_count,
            objectives_page=objectives_page,
            objectives_pages=max(1, len(layout.objective_pages)),
        )

    @cached_property
    def objective_departments(self) -> dict:
        """{objective id: the departments whose figures its block shows}."""
        return objective_departments_cached(self.header, self.version)

    def metric_row_fragments(self, deck, context) -> dict:
        """{metric id: the HTML of its row in the metrics tables} (views/row_fragments.py)."""
        department_of = {link.id: link.department_id for link in self.nav.metrics}
        rows = {
            row.metric_id: (frozenset((department_of.get(row.metric_id),)), row)
            for group in deck.outcomes
            for row in group.metrics
        }
        shared = {key: context.get(key) for key in ("thread_counts", "thread_may_post")}
        return row_fragments(
            self, "metrics/partials/metric_row_cells.html", rows, {**shared, "deck": deck}
        )

    def page_deck(self):
        """What the content's templates read as `deck`: the whole deck, lazily."""
        return SimpleLazyObject(lambda: self.deck)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        header, version = self.header, self.version
        context.update(
            header=header,
            deck=self.page_deck(),
            sidebar=SimpleLazyObject(self.sidebar),
            sessions=SimpleLazyObject(
                lambda: cached(version.structure_only, ("session-choices",), session_choices)
            ),
            section=self.section,
            page_key=self.page_key(),
            chrome_key=self.chrome_key(),
            page_cache_timeout=TIMEOUT,
            include_charts=self.include_charts,
            can_facilitate=permissions.can_facilitate(self.request.user),
        )
        if self.shows_threads:
            # Counts beside the cells (one query, only when the page's content is rendered:
            # a comment bumps the data version; a held session's come from its hold).
            context["thread_counts"] = SimpleLazyObject(
                lambda: session_thread_counts(header.session_id, is_held=header.is_held)
            )
            context["thread_may_post"] = not header.held and permissions.can_comment(
                self.request.user, None
            )
        return context


class SessionView(SessionPageMixin, TemplateView):
    """S1: overview, progress and challenges, key deliverables, actions."""

    template_name = "metrics/session.html"
    section = "session"

    def page_deck(self):
        # Its texts and key deliverables: no metric row or objective is built.
        return SimpleLazyObject(lambda: self.deck_part(SESSION_TEXTS, extras=True))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        header = self.header
        if not header.held:
            # In preparation: who has submitted the session's quarter so far (in the cached
            # content: a submission is a write, which changes the version).
            submissions = SimpleLazyObject(
                lambda: submissions_for_quarter(header.quarter_id, departments())
            )
            context["submissions"] = submissions
            context["progress"] = SimpleLazyObject(lambda: checkin_progress(submissions))
        else:
            # Held: who had submitted when it was held (kept with its hold, so cached with it).
            record = SimpleLazyObject(
                lambda: SimpleNamespace(checkins=held_checkins(header.session_id))
            )
            context["submissions"] = SimpleLazyObject(lambda: record.checkins or [])
            context["progress"] = SimpleLazyObject(lambda: held_progress(record.checkins))
        return context


class MetricsTablesView(SessionPageMixin, TemplateView):
    """S2-S6 (S17 for the earlier session): the metrics tables, one slide per outcome."""

    template_name = "metrics/metrics_tables.html"
    section = "metrics"

    def page_deck(self):
        return self.header

    @cached_property
    def page_number(self) -> int:
        return query_page(
            self.request, self.layout().metrics_page_count, what=_("pages of metrics")
        )

    def sidebar_pages(self) -> tuple[int, int]:
        return self.page_number, 1

    def page_departments(self):
        # A row prints its own metric's figures only.
        def compute():
            of = {link.id: link.department_id for link in self.nav.metrics}
            return _known(of.get(i) for i in self.layout().metrics_on(self.page_number))

        return self.page_departments_cached((self.page_number,), compute)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        layout, number = self.layout(), self.page_number
        deck = SimpleLazyObject(lambda: self.deck_part(layout.metrics_window(number)))
        context.update(
            deck=deck,
            row_fragments=SimpleLazyObject(lambda: self.metric_row_fragments(deck, context)),
            page_key=self.page_key(number),
            pager=pager_for(self.request, number, layout.metrics_page_count),
            outcome_offset=layout.outcome_offset(number),
            outcome_total=layout.outcome_count,
            continued_outcome=layout.continued_outcome(number),
        )
        return context


class MetricView(SessionPageMixin, TemplateView):
    """One metric: its table row and its charts (one metric read, observations of the years
    the charts show)."""

    template_name = "metrics/metric.html"
    rows_by_department = False
    section = "metrics"
    include_charts = True

    def sidebar_pages(self) -> tuple[int, int]:
        slug = self.kwargs["metric_slug"]
        metric_id = next((link.id for link in self.nav.metrics if link.slug == slug), 0)
        return self.layout().metric_page_of(metric_id), 1

    def page_deck(self):
        return self.header

    def page_departments(self):
        # Its row and charts: that metric's figures only.
        slug = self.kwargs["metric_slug"]
        return self.page_departments_cached(
            (slug,),
            lambda: _known(
                [next((m.department_id for m in self.nav.metrics if m.slug == slug), None)]
            ),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        slug = self.kwargs["metric_slug"]
        header = self.header
        page = SimpleLazyObject(lambda: metric_page(header, slug))

        def charts():
            row = page.row
            data = None
            if header.is_held:  # the charts as presented
                data = presented_chart_data(header.session_id, [row.metric_id]).get(row.metric_id)
            if data is None:
                data = metric_chart_data(
                    row.metric_id,
                    since=chart_window_start(header.fiscal_year),
                    until=header.quarter_end_date,
                )
            return metric_charts(row, data)

        context.update(
            current_slug=slug,
            page_key=self.page_key(slug),
            row=SimpleLazyObject(lambda: page.row),
            # None for a metric the session shows only as a key result (no table of its own).
            outcome=SimpleLazyObject(
                lambda: (
                    SimpleNamespace(statement=page.outcome_statement, footnotes=page.footnotes)
                    if page.outcome_statement
                    else None
                )
            ),
            charts=SimpleLazyObject(charts),
        )
        return context


class ObjectiveView(SessionPageMixin, TemplateView):
    """S7-S15: objective, narrative, key results, drill-downs (that objective only)."""

    template_name = "metrics/objective.html"
    section = "objectives"
    rows_by_department = False

    def sidebar_pages(self) -> tuple[int, int]:
        slug = self.kwargs["objective_slug"]
        objective_id = next((link.id for link in self.nav.objectives if link.slug == slug), 0)
        return 1, self.layout().objective_page_of(objective_id)

    def page_deck(self):
        return self.header

    def page_departments(self):
        # Its key results' statuses (the objective's department) and their metrics' rows.
        slug = self.kwargs["objective_slug"]

        def compute():
            objective_id = next((o.id for o in self.nav.objectives if o.slug == slug), None)
            return _known(self.objective_departments.get(objective_id, ()))

        return self.page_departments_cached((slug,), compute)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        slug = self.kwargs["objective_slug"]
        context.update(
            objective=SimpleLazyObject(lambda: self._objective(slug)),
            current_slug=slug,
            page_key=self.page_key(slug),
        )
        return context

    def _objective(self, slug: str):
        if self.header.is_held:  # the objectives it presented, as its sidebar lists them
            objective_id = next((o.id for o in self.nav.objectives if o.slug == slug), 0)
        else:
            objective_id = objective_id_in_session(self.header, slug)
        part = self.deck_part(DeckWindow(metric_ids=frozenset(), objective_ids={objective_id}))
        return objective_page(self.header, slug, deck=part)


class OverviewView(SessionPageMixin, TemplateView):
    """Every objective and metric of the session with its goal attainment."""

    template_name = "metrics/overview.html"
    section = "overview"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        all_departments = cached(self.version.structure_only, ("departments",), departments)
        chosen = query_choice(
            self.request, "department", {d.slug for d in all_departments}, what=_("department")
        )
        layout = self.layout(chosen)
        number = query_page(self.request, layout.page_count)
        tables = SimpleLazyObject(lambda: self._tables(chosen, layout.window(number)))
        submissions, recompute = self.live
        header = self.header
        context.update(
            departments=all_departments,
            department=chosen,
            # The department filter lists the departments there are now (for a held session
            # too, whose tables are keyed by its hold).
            page_key=self.page_key(chosen, number, _digest(all_departments)),
            pager=pager_for(self.request, number, layout.page_count),
            deck=header,
            tally=SimpleLazyObject(lambda: self._tally(attainment_tally, chosen, all_departments)),
            confidence_tally=SimpleLazyObject(
                lambda: self._tally(confidence_tally, chosen, all_departments)
            ),
            outcomes=SimpleLazyObject(lambda: tables.outcomes),
            objectives=SimpleLazyObject(lambda: tables.objectives),
            row_fragments=SimpleLazyObject(lambda: self._metric_fragments(tables, context)),
            objective_fragments=SimpleLazyObject(
                lambda: self._objective_fragments(tables, context)
            ),
            submissions=submissions,
            progress=self.progress,
            recomputed_at=recompute.finished_at if recompute else None,
            recompute_pending=recompute.pending if recompute else 0,
        )
        return context

    @cached_property
    def progress(self):
        submissions, _recompute = self.live
        if self.header.held:
            return held_progress(submissions)
        return checkin_progress(submissions)

    @cached_property
    def live(self):
        """The status strip. Submissions are written with a version bump: cached under it.
        The last recompute and the pending count are not (a recompute that changes no figure
        bumps nothing, yet finishes a run and fulfils its requests): read on every request,
        in one query, and part of the page's ETag (and of its stored response's key). A
        held session shows who had submitted when it was held, and no recompute at all (its
        figures are the deck as presented): (its held check-ins or None, None)."""
        version = self.version
        if self.header.held:
            session_id = self.header.session_id
            held = cached(
                self.content_version,
                ("held-checkins", session_id),
                lambda: held_checkins(session_id),
            )
            return held, None
        # The list read again under the data version (every request's ETag reads it), built
        # from each department's state cached under its figures: a save re-reads its own.
        all_departments = cached(version.structure_only, ("departments",), departments)
        submissions = cached(
            version,
            ("submissions", self.header.quarter_id),
            lambda: checkin_states_of(self.department_figures, all_departments),
        )
        return submissions, recompute_state()

    @cached_property
    def department_figures(self) -> dict:
        """Each department's check-in state and counts (selectors/overview_departments.py)."""
        all_departments = cached(self.version.structure_only, ("departments",), departments)
        return department_figures(self.header, all_departments, version=self.version)

    def etag_parts(self) -> tuple:
        submissions, recompute = self.live
        return (
            *super().etag_parts(),
            _digest(cached(self.version.structure_only, ("departments",), departments)),
            [(item.department_slug, item.state) for item in submissions or ()],
            timesince(recompute.finished_at) if recompute and recompute.finished_at else "",
            recompute.pending if recompute else 0,
        )

    def _tally(self, whole, chosen: str, all_departments) -> list:
        """The counts of every department (of the one chosen): a held session's from its
        stored deck, a live one's summed from counts cached per department."""
        header = self.header
        if header.is_held:
            return whole(header, department=chosen)
        ids = [d.id for d in all_departments if not chosen or d.slug == chosen]
        if not chosen:
            ids.append(None)  # metrics and objectives without a department
        of = attainment_tally_of if whole is attainment_tally else confidence_tally_of
        return of(self.department_figures, ids)

    def _metric_fragments(self, tables, context) -> dict:
        """{metric id: its row's HTML} (views/row_fragments.py)."""
        department_of = {link.id: link.department_id for link in self.nav.metrics}
        rows = {
            row.metric_id: (frozenset((department_of.get(row.metric_id),)), row)
            for _group, group_rows in tables.outcomes
            for row in group_rows
        }
        return row_fragments(
            self, "metrics/partials/overview_metric_row.html", rows, {"deck": self.header}
        )

    def _objective_fragments(self, tables, context) -> dict:
        """{objective id: its rows' HTML}: keyed by the departments its block shows."""
        of = self.objective_departments
        rows = {
            block.objective_id: (of.get(block.objective_id, frozenset((None,))), block)
            for block in tables.objectives
        }
        return row_fragments(
            self, "metrics/partials/overview_objective_rows.html", rows, {"deck": self.header}
        )

    def _tables(self, chosen: str, window: DeckWindow) -> SimpleNamespace:
        """The page's part of every metric and objective (of the department chosen)."""
        deck = self.deck_part(window)
        outcomes = [
            (group, [m for m in group.metrics if not chosen or m.department_slug == chosen])
            for group in deck.outcomes
        ]
        return SimpleNamespace(
            outcomes=[(group, rows) for group, rows in outcomes if rows],
            objectives=[o for o in deck.objectives if not chosen or o.department_slug == chosen],
        )


class AppendixView(SessionPageMixin, TemplateView):
    """S16: acronyms (nothing else read)."""

    template_name = "metrics/appendix.html"
    section = "appendix"

    def page_deck(self):
        header = self.header
        return SimpleLazyObject(
            lambda: SimpleNamespace(**vars(header), acronyms=session_acronyms(header))
        )


class PrintDeckView(SessionPageMixin, TemplateView):
    """Every slide in deck order, each printed on a landscape page of its own: S1, the section
    slides, per outcome its metrics table and a slide per chart (for the metrics the deck
    charts, those with a chart title), the objectives, the appendix and the earlier
    session's metrics table (S17). Printing it to PDF gives the deck.

    A large deck comes in parts (`?part=N`, deck_layout.deck_parts): each prints a bounded
    run of those slides, building only its part of the deck and charting only its metrics;
    a deck of the seed's size is one part."""

    template_name = "metrics/print_deck.html"
    section = "print"
    include_charts = True
    shows_threads = False

    def page_deck(self):
        return self.header

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        layout = self.layout()
        earlier = self.earlier_layout()
        parts = deck_parts(layout, earlier.layout)
        number = query_page(self.request, len(parts), name="part", what=_("parts of the deck"))
        part = parts[number - 1]
        first_page = part.metric_pages[0] if part.metric_pages else 0
        slides = SimpleLazyObject(lambda: self._slides(layout, earlier, part))
        # Lazy: a page served from the cache never builds them.
        context.update(
            deck=SimpleLazyObject(lambda: slides["deck"]),
            part=part,
            part_count=len(parts),
            pager=pager_for(self.request, number, len(parts), name="part"),
            page_key=self.page_key(number),
            outcome_offset=layout.outcome_offset(first_page) if first_page else 0,
            outcome_total=layout.outcome_count,
            continued_outcome=layout.continued_outcome(first_page),
            outcome_slides=SimpleLazyObject(lambda: slides["outcome_slides"]),
            earlier_deck=SimpleLazyObject(lambda: slides["earlier_deck"]),
        )
        return context

    def earlier_layout(self) -> EarlierTable:
        """The earlier session's table that ends the deck (S17) and its pages, cached like
        the page's content."""
        header, version = self.header, self.version
        return cached(
            self.content_version,
            ("earlier-table", header.session_id),
            lambda: earlier_table(
                header,
                header_of=lambda pk: cached(
                    version.structure_only, ("header", pk), lambda: session_header(pk)
                ),
                deck_of=lambda pk: deck_for(version, pk, deck_selectors.session_deck),
            ),
        )

    def _slides(self, layout: DeckLayout, earlier, part) -> dict:
        window = part_window(layout, part)
        # A deck of one part: the whole deck, the one build the deck API shares.
        # Its key deliverables (S1) and acronyms (the appendix) only where the part prints them.
        deck = (
            self.deck
            if window == WHOLE_DECK
            else self.deck_part(window, extras=part.intro or part.appendix)
        )
        rows = [row for row in deck.metric_rows if row.chart_title]
        ids = [row.metric_id for row in rows]
        data = {}
        if ids and deck.session_state == "held":  # as presented, when the snapshot kept them
            data = session_chart_data(deck, ids, until=deck.quarter_end_date)
        if ids and not data:
            charts_of = self._live_charts(rows, deck)
        else:
            charts_of = {
                row.metric_id: metric_charts(row, data[row.metric_id])
                for row in rows
                if row.metric_id in data
            }
        outcome_slides = [
            (
                group,
                [
                    {"row": row, "chart": chart}
                    for row in group.metrics
                    for chart in charts_of.get(row.metric_id, ())
                ],
            )
            for group in deck.outcomes
        ]
        earlier_deck = earlier_table_part(
            earlier,
            self.header,
            part.earlier_pages,
            deck_of=lambda pk: deck_for(self.version, pk, deck_selectors.session_deck),
        )
        return {"deck": deck, "outcome_slides": outcome_slides, "earlier_deck": earlier_deck}

    def _live_charts(self, rows, deck) -> dict:
        """{metric id: its charts} of a live session, each metric's cached under its
        department's figures (and the language of their labels): after a save, the part
        draws again the charts of that department's metrics only."""
        department_of = {link.id: link.department_id for link in self.nav.metrics}
        by_id = {row.metric_id: row for row in rows}
        language = get_language()
        items = {
            metric_id: (
                _chart_version(self.version, department_of.get(metric_id)),
                ("deck-charts", self.header.session_id, metric_id, language),
            )
            for metric_id in by_id
        }

        def build(missing):
            data = metrics_chart_data(
                missing, since=chart_window_start(deck.fiscal_year), until=deck.quarter_end_date
            )
            return {m: metric_charts(by_id[m], data[m]) if m in data else [] for m in missing}

        return cached_many(items, build)


def _chart_version(version, department_id):
    # A metric without a department has its figures bump the structure version.
    return version.of_departments([] if department_id is None else [department_id])


def compare_defaults(ids: list[int], *, before: int | None, after: int | None):
    """The earlier and the later session to compare, from the sessions' ids newest first and
    what the reader chose: one chosen session is compared with the one before it (so "Compare
    sessions" from Q1 reads Q4 of the year before -> Q1, never Q2 -> Q1); the oldest, having
    none before it, becomes the earlier one beside the next. Neither chosen: the two latest."""
    if before is None and after is None:
        return (ids[1] if len(ids) > 1 else None), (ids[0] if ids else None)
    if before is None:
        index = ids.index(after)
        if index + 1 < len(ids):
            return ids[index + 1], after
        return (after, ids[index - 1]) if index > 0 else (None, after)
    if after is None:
        index = ids.index(before)
        if index > 0:
            return before, ids[index - 1]
        return (ids[1], before) if len(ids) > 1 else (None, before)
    return before, after


class CompareView(ReadAccessMixin, ConditionalGetMixin, TemplateView):
    """Two sessions side by side (?before=ID&after=ID; defaults: the two latest)."""

    template_name = "metrics/compare.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        version = request_data_version(self.request)
        sessions = cached(version.structure_only, ("session-choices",), session_choices)
        ids = [s.session_id for s in sessions]
        before, after = compare_defaults(
            ids, before=self._chosen("before", ids), after=self._chosen("after", ids)
        )
        context.update(sessions=sessions, before_id=before, after_id=after, section="compare")
        page = query_int(self.request, "page")
        page = 1 if page is None else page
        if before is not None and after is not None:
            comparison = cached(
                version,
                ("compare", before, after, page),
                lambda: compare_sessions(before, after, page=page),
            )
            if not 1 <= page <= comparison.pages:
                raise BadQuery(
                    "page",
                    _("?page= must be from 1 to %(count)s: there are %(count)s pages.")
                    % {"count": comparison.pages},
                )
            context["comparison"] = comparison
            context["pager"] = pager_for(self.request, page, comparison.pages)
        return context

    def _chosen(self, name, ids):
        chosen = query_int(self.request, name)
        if chosen is not None and chosen not in ids:
            raise BadQuery(
                name,
                _("There is no session %(id)s to compare (?%(name)s=).")
                % {"id": chosen, "name": name},
            )
        return chosen


class CellHistoryView(ReadAccessMixin, TemplateView):
    """Every change of one cell (a metric's or a key result's), and what it read after each."""

    template_name = "metrics/cell_history.html"
    key_result = False
    paginate_by = 50

    def get_context_data(self, **kwargs):
        status_id = self.kwargs["status_id"]
        if self.key_result:
            history = key_result_status_history(status_id=status_id)
        else:
            history = status_history(status_id=status_id)
        if history is None:
            raise Http404(_("No such cell."))
        session = query_int(self.request, "session")
        # A busy cell (a metric pushed every day for years) has thousands of saves: pages. A
        # page past the end shows the last one, as a list that shrank since the link was made.
        page = Paginator(history.versions, self.paginate_by).get_page(
            query_int(self.request, "page")
        )
        return super().get_context_data(
            history=history,
            page=page,
            session=session,
            back_url=self._back_url(history, session),
            **kwargs,
        )

    def _back_url(self, history, session: int | None) -> str:
        """The page the cell was opened from, when the link said which session it was."""
        if session is None:
            return ""
        if self.key_result:
            return reverse(
                "metrics:objective",
                kwargs={
                    "session_id": session,
                    "objective_slug": history.status.key_result.objective.slug,
                },
            )
        return reverse(
            "metrics:metric",
            kwargs={"session_id": session, "metric_slug": history.status.metric.slug},
        )
