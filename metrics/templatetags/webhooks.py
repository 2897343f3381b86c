from django import template

from metrics import permissions

register = template.Library()


@register.simple_tag
def can_manage_webhooks(user) -> bool:
    return permissions.can_manage_webhooks(user)
