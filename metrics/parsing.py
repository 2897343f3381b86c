"""Reading what people type where the app expects a plain value, with no dependency on the
rest of the app: the selectors, the services, the forms and the API all read ids this way."""


def ascii_int(raw) -> int | None:
    """An id typed as digits 0-9 ("42", " 42 "); None for anything else. str.isdigit() also
    accepts "²" (which int() refuses) and "٣" (which int() reads as 3): neither is an id."""
    text = str(raw if raw is not None else "").strip()
    return int(text) if text.isascii() and text.isdigit() else None
