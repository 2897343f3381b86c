"""Observations for past periods: a pasted column of values (backfill) and CSV imports, both
previewed row by row (nothing written) before they are saved through observations_upsert."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from metrics import permissions
from metrics.forms.observations import BackfillForm, CsvImportForm
from metrics.models import ChangeSource
from metrics.selectors.entry import entry_metrics
from metrics.selectors.observations import stored_observations
from metrics.services.csv_import import ImportFormatError, backfill_rows_parse, csv_rows_parse
from metrics.services.observations import observations_upsert
from metrics.views.entry_access import DepartmentEntryMixin
from metrics.views.query import QueryErrorsMixin, query_choice

CSV_SESSION_KEY = "entry_csv_import"


def _result_lines(result, line_numbers):
    return [{"line": line, "row": row} for line, row in zip(line_numbers, result.rows, strict=True)]


class BackfillView(QueryErrorsMixin, DepartmentEntryMixin, TemplateView):
    template_name = "entry/backfill.html"

    def row_choices(self):
        self.rows = {}
        choices = []
        for metric in entry_metrics(self.department):
            self.rows[f"{metric.pk}-0"] = (metric, None)
            choices.append((f"{metric.pk}-0", f"{metric.name} ({metric.get_cadence_display()})"))
            for segment in metric.segments.all():
                self.rows[f"{metric.pk}-{segment.pk}"] = (metric, segment)
                choices.append((f"{metric.pk}-{segment.pk}", f"{metric.name} / {segment.name}"))
        return choices

    def get(self, request, *args, **kwargs):
        form = BackfillForm(row_choices=self.row_choices(), initial=request.GET.dict())
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request, *args, **kwargs):
        form = BackfillForm(request.POST, row_choices=self.row_choices())
        context = {"form": form}
        if form.is_valid():
            metric, segment = self.rows[form.cleaned_data["row"]]
            try:
                parsed = backfill_rows_parse(
                    metric=metric,
                    segment=segment,
                    start=form.cleaned_data["start"],
                    text=form.cleaned_data["values"],
                )
            except ImportFormatError as error:
                form.add_error("values", str(error))
            else:
                save = "save" in request.POST
                result = observations_upsert(
                    rows=parsed.rows,
                    actor=request.user,
                    source=ChangeSource.FORM,
                    dry_run=not save,
                    metric_allowed=permissions.metric_write_rule(
                        request.user, action="backfill", department=self.department
                    ),
                )
                context.update(result=result, lines=_result_lines(result, parsed.line_numbers))
                if save and not result.rejected:
                    counts = result.counts
                    messages.success(
                        request,
                        _("Saved: %(created)s new, %(updated)s changed, %(unchanged)s unchanged.")
                        % {
                            "created": counts["created"],
                            "updated": counts["updated"],
                            "unchanged": counts["unchanged"],
                        },
                    )
                    return redirect(
                        reverse(
                            "metrics:entry-backfill", kwargs={"department": self.department.slug}
                        )
                    )
                if save:
                    messages.warning(
                        request,
                        _("Saved %(saved)s value(s); %(refused)s line(s) were refused, see below.")
                        % {
                            "saved": result.count("created") + result.count("updated"),
                            "refused": len(result.rejected),
                        },
                    )
        return self.render_to_response(self.get_context_data(**context))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(department=self.department, **kwargs)
        form = context.get("form")
        chosen = (form.data.get("row") if form is not None and form.is_bound else None) or (
            query_choice(self.request, "row", self.rows, what=_("metric row"))
        )
        if chosen in self.rows:
            metric, segment = self.rows[chosen]
            stored, stored_total = stored_observations(metric=metric, segment=segment)
            context.update(
                stored_key=chosen,
                stored_row=f"{metric.name} / {segment.name}" if segment else metric.name,
                stored=stored,
                stored_total=stored_total,
            )
        return context


class CsvImportView(DepartmentEntryMixin, TemplateView):
    """Upload or paste -> preview (every row with what would happen, or its errors) ->
    confirm. The text waits in the session between the two steps."""

    template_name = "entry/import.html"

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=CsvImportForm()))

    def post(self, request, *args, **kwargs):
        if "confirm" in request.POST:
            return self.confirm(request)
        form = CsvImportForm(request.POST, request.FILES)
        context = {"form": form}
        if form.is_valid():
            text = form.cleaned_data["csv_text"]
            preview = self.run(text, dry_run=True, form=form)
            if preview is not None:
                request.session[CSV_SESSION_KEY] = {"department": self.department.pk, "text": text}
                context.update(preview)
        return self.render_to_response(self.get_context_data(**context))

    def confirm(self, request):
        pending = request.session.get(CSV_SESSION_KEY)
        if not pending or pending.get("department") != self.department.pk:
            messages.error(request, _("Nothing to import any more; upload the file again."))
            return redirect(self.own_url())
        form = CsvImportForm()
        outcome = self.run(pending["text"], dry_run=False, form=form)
        request.session.pop(CSV_SESSION_KEY, None)
        if outcome is None:
            return self.render_to_response(self.get_context_data(form=form))
        counts = outcome["result"].counts
        messages.success(
            request,
            _(
                "Imported: %(created)s new, %(updated)s changed, %(unchanged)s unchanged, "
                "%(rejected)s refused."
            )
            % {
                "created": counts["created"],
                "updated": counts["updated"],
                "unchanged": counts["unchanged"],
                "rejected": counts["rejected"],
            },
        )
        return self.render_to_response(self.get_context_data(form=form, imported=True, **outcome))

    def run(self, text, *, dry_run, form):
        try:
            parsed = csv_rows_parse(text)
        except ImportFormatError as error:
            form.add_error(None, str(error))
            return None
        result = observations_upsert(
            rows=parsed.rows,
            actor=self.request.user,
            source=ChangeSource.IMPORT,
            dry_run=dry_run,
            metric_allowed=permissions.metric_write_rule(
                self.request.user, action="csv import", department=self.department
            ),
        )
        return {"result": result, "lines": _result_lines(result, parsed.line_numbers)}

    def own_url(self):
        return reverse("metrics:entry-import", kwargs={"department": self.department.slug})

    def get_context_data(self, **kwargs):
        return super().get_context_data(department=self.department, **kwargs)
