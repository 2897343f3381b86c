"""Writing the tables inside a drill-down (Grantmaking's FY19/20, FY20/21, Q1-Q2) and their
rows: history kept, and refused once the session is held or the drill-down's department has
locked the session's quarter, like the drill-down's own texts (services.narratives.drilldown_update)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from metrics.caching.versions import data_write
from metrics.models import Drilldown, DrilldownRow, DrilldownTable
from metrics.services.catalog import catalog_row_delete, catalog_row_save
from metrics.services.sessions import session_ensure_draft
from metrics.services.submissions import submission_ensure_unlocked


def drilldown_table_save(
    *, table: DrilldownTable | None = None, actor, source: str, **fields
) -> DrilldownTable:
    """Create a table (`drilldown` among the fields) or change the given fields of one."""
    with data_write():
        if table is not None:
            table = DrilldownTable.objects.select_for_update().get(pk=table.pk)
            _ensure_stays(table, fields, parent="drilldown")
        _ensure_editable(fields.get("drilldown") or table.drilldown)
        saved, _changes = catalog_row_save(
            model=DrilldownTable, instance=table, values=fields, actor=actor, source=source
        )
    return saved


def drilldown_table_delete(*, table: DrilldownTable, actor, source: str) -> None:
    with data_write():
        _ensure_editable(table.drilldown)
        for row in table.rows.all():
            catalog_row_delete(instance=row, actor=actor, source=source)
        catalog_row_delete(instance=table, actor=actor, source=source)


def drilldown_row_save(
    *, row: DrilldownRow | None = None, actor, source: str, **fields
) -> DrilldownRow:
    """Create a row (`table` among the fields) or change the given fields of one."""
    with data_write():
        if row is not None:
            row = DrilldownRow.objects.select_for_update().get(pk=row.pk)
            _ensure_stays(row, fields, parent="table")
        table = fields.get("table") or row.table
        _ensure_editable(table.drilldown)
        saved, _changes = catalog_row_save(
            model=DrilldownRow, instance=row, values=fields, actor=actor, source=source
        )
    return saved


def drilldown_row_delete(*, row: DrilldownRow, actor, source: str) -> None:
    with data_write():
        _ensure_editable(row.table.drilldown)
        catalog_row_delete(instance=row, actor=actor, source=source)


def _ensure_editable(drilldown: Drilldown) -> None:
    # A held session's deck stays as presented; a locked quarter keeps its figures.
    session_ensure_draft(drilldown.session)
    submission_ensure_unlocked(
        department_id=drilldown.objective.department_id, quarter=drilldown.session.quarter
    )


def _ensure_stays(current, fields: dict, *, parent: str) -> None:
    if parent in fields and getattr(fields[parent], "pk", fields[parent]) != getattr(
        current, f"{parent}_id"
    ):
        message = {
            "drilldown": _("It stays in its drilldown; add a new one instead."),
            "table": _("It stays in its table; add a new one instead."),
        }[parent]
        raise ValidationError({parent: message})
