"""``{{ message|without_paths }}``: stored messages shown without the server's paths."""

from django import template

from totalplace.redact import without_paths as _without_paths

register = template.Library()


@register.filter
def without_paths(value) -> str:
    return _without_paths(value)
