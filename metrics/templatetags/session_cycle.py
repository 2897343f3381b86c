from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """mapping[key], or [] when absent (the session authoring page's key results)."""
    return mapping.get(key, [])
