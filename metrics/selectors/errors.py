"""What the selectors raise: HTTP is the views' business, not theirs."""


class NotFoundError(LookupError):
    """The thing asked for does not exist (a session, a metric or objective the session does
    not show). Pages answer 404 (metrics.middleware.NotFoundMiddleware, which also covers
    lazy page parts that fail while the template renders); the API answers 404 as JSON
    (metrics.api.exceptions); commands print the message."""
