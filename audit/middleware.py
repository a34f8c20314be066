"""Requests act in an audit context: the user, the path and the method.

Django's ``AuthenticationMiddleware`` sets the session user before this runs; Django REST
framework authenticates API tokens later, in the view, by assigning ``request.user`` and
``request.auth``. The request's class is swapped for one that hears those assignments (as
django-pghistory's own middleware does), so a token's user is recorded too, with the token.
"""

from django.core.handlers.wsgi import WSGIRequest

from totalplace.audit_context import audit_context, audit_context_update, user_metadata


class _AuditedRequest(WSGIRequest):
    def __setattr__(self, name, value):
        if name == "user":
            audit_context_update(**user_metadata(value))
        elif name == "auth" and value is not None and hasattr(value, "key_prefix"):
            audit_context_update(api_token=f"{value.key_prefix}… ({value.name})")
        super().__setattr__(name, value)


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        with audit_context(url=request.path, method=request.method, **user_metadata(user)):
            if type(request) is WSGIRequest:
                request.__class__ = _AuditedRequest
            return self.get_response(request)
