"""One way to ask "may this user do that?", for pages, the API and services alike.

The answers come from the object rules in ``ledger/permissions.py`` and
``pilots/permissions.py`` (the ``rules`` package). We test them with ``rules.has_perm``
rather than ``user.has_perm``: Django answers yes to every permission for an active superuser
before asking any backend, and the rules must hold for administrators too (nobody approves a
return they submitted themselves; an API token acts only for its own organisation).
"""

from collections.abc import Callable
from functools import wraps

import rules
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from rest_framework import permissions as drf_permissions


def has_perm(user, perm: str, obj=None) -> bool:
    """Whether ``user`` (anonymous included) holds ``perm`` on ``obj``."""
    return rules.has_perm(perm, user, obj)


def require_perm(actor, perm: str, obj=None, *, message: str = "") -> None:
    """Raise PermissionDenied unless ``actor`` holds ``perm``. ``actor=None`` is the system
    itself (a management command, the demo loader), which may do anything."""
    if actor is not None and not has_perm(actor, perm, obj):
        raise PermissionDenied(message or "You do not have permission to do that.")


def permission_required(perm: str, fn: Callable | None = None, *, message: str = ""):
    """Page decorator: visitors are sent to sign in; signed-in users without ``perm`` on the
    object ``fn(request, **kwargs)`` returns get 403. ``fn`` looks the object up through a
    selector, so an object the user may not even see is a 404 before any permission is asked.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            obj = fn(request, *args, **kwargs) if fn else None
            if not has_perm(request.user, perm, obj):
                raise PermissionDenied(message)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class RulePermission(drf_permissions.BasePermission):
    """DRF permission backed by the rules. ``perm`` guards changes (POST, PATCH, DELETE): on
    the object for detail requests, and with no object for creates unless ``view_level`` is
    off. ``read_perm`` guards reads of an object (``None``: open to everyone); which objects a
    list shows is the selectors' business."""

    perm: str = ""
    read_perm: str | None = None
    view_level = True

    def has_permission(self, request, view) -> bool:
        if request.method in drf_permissions.SAFE_METHODS or not self.view_level:
            return True
        return has_perm(request.user, self.perm)

    def has_object_permission(self, request, view, obj) -> bool:
        safe = request.method in drf_permissions.SAFE_METHODS
        perm = self.read_perm if safe else self.perm
        return perm is None or has_perm(request.user, perm, obj)


def rule_permission(
    perm: str, *, read_perm: str | None = None, view_level: bool = True, message: str = ""
) -> type[RulePermission]:
    """A RulePermission class for ``perm``: ``permission_classes = [rule_permission(...)]``."""
    attrs = {"perm": perm, "read_perm": read_perm, "view_level": view_level}
    if message:
        attrs["message"] = message
    return type(f"RulePermission_{perm.replace('.', '_')}", (RulePermission,), attrs)
