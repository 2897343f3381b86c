"""What a browser posts for a form of a rendered page, read from the HTML itself (not from the
view's context): a test that posts this finds a field the template forgot to render."""

import lxml.html


def form_post_data(html: str | bytes, form_id: str) -> dict:
    """The fields `<form id=form_id>` submits as it stands: inputs, ticked boxes, selected
    options and textareas (whose first newline browsers drop and whose lines they end with
    CRLF)."""
    document = lxml.html.fromstring(html)
    (form,) = document.xpath(f"//form[@id='{form_id}']")
    data = {}
    for name, value in form.form_values():
        data[name] = value
    for textarea in form.xpath(".//textarea[@name]"):
        text = textarea.value or ""
        text = text.removeprefix("\n")
        data[textarea.get("name")] = text.replace("\r\n", "\n").replace("\n", "\r\n")
    return data
