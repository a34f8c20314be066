"""The server error page: the site's own, rendered without the request that just failed."""

import logging

from django.http import HttpResponseServerError
from django.template import loader

logger = logging.getLogger(__name__)

# What is left when even the template cannot be rendered (a broken URLconf, a template error).
PLAIN = (
    "<!doctype html><html lang='en-GB'><head><meta charset='utf-8'>"
    "<title>Something went wrong · TotalPlace</title></head><body><h1>Something went wrong</h1>"
    "<p>The server could not complete your request. Try again in a few minutes.</p></body></html>"
)


def server_error(request, template_name: str = "500.html") -> HttpResponseServerError:
    """``handler500``: 500.html with an empty context, never the request's context processors
    (the session, the user or the database behind them may be what failed)."""
    try:
        body = loader.get_template(template_name).render({})
    except Exception:
        logger.exception("The 500 page could not be rendered; served the plain one")
        body = PLAIN
    return HttpResponseServerError(body)


def error_text(exc: Exception) -> str:
    """What a service's refusal says, as one line for a message, a form or a job's log.

    A ``ValidationError`` may hold several messages (by field or not); a ``PermissionDenied``
    or any other exception has its own text.
    """
    return " ".join(getattr(exc, "messages", [str(exc)]))
