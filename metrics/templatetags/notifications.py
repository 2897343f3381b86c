"""`{% who_will_be_notified kind ... as who %}`: the names an action would notify, shown
beside its button (templates/notifications/_who.html)."""

from django import template

from metrics.selectors.notifications import notification_recipients_preview

register = template.Library()


@register.simple_tag(takes_context=True)
def who_will_be_notified(context, kind: str, department_id=None):
    request = context.get("request")
    # One memo per request: the hold's and the delete's previews share their queries.
    memo = getattr(request, "_okr_who_memo", None)
    if memo is None:
        memo = {}
        if request is not None:
            request._okr_who_memo = memo
    return notification_recipients_preview(
        kind=kind,
        actor=getattr(request, "user", None),
        department_id=department_id,
        memo=memo,
    )
