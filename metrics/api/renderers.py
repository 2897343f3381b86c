"""CSV as the second format of every list (`?format=csv` or `Accept: text/csv`): one line per
row, nested objects flattened to dotted column names, nested lists kept as JSON text."""

import csv
import io
import json

from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

from metrics.pptx_export import PPTX_CONTENT_TYPE


def _flatten(row: dict, prefix: str = "") -> dict:
    flat = {}
    for key, value in row.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        elif isinstance(value, list | tuple):
            flat[name] = json.dumps(value, cls=JSONEncoder, ensure_ascii=False)
        elif value is None:
            flat[name] = ""
        else:
            flat[name] = value
    return flat


def _rows_of(data) -> list[dict]:
    if isinstance(data, dict) and isinstance(data.get("results"), list):
        data = data["results"]
    if isinstance(data, dict):
        data = [data]
    return [_flatten(row) if isinstance(row, dict) else {"value": row} for row in data or []]


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        rows = _rows_of(data)
        columns = list(dict.fromkeys(column for row in rows for column in row))
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
        return buffer.getvalue().encode(self.charset)


class PptxRenderer(BaseRenderer):
    """The deck endpoint's PowerPoint form (`?format=pptx`, `/deck.pptx` or
    `Accept: application/vnd.openxmlformats-officedocument.presentationml.presentation`): the
    view hands it the finished file. An error answer (404, 403) stays JSON."""

    media_type = PPTX_CONTENT_TYPE
    format = "pptx"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if isinstance(data, bytes):
            return data
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"
        return JSONRenderer().render(data, renderer_context=renderer_context)
