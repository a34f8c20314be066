"""REST API conventions shared by every app: one error body shape (pagination: ``pagination.py``).

Every error, whatever raised it, comes back as::

    {"error": {"status": 400, "code": "invalid", "message": "...", "details": {...}}}
"""

from django.conf import settings
from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
    ValidationError,
)
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler


def _message(detail) -> str:
    if isinstance(detail, list) and detail:
        return _message(detail[0])
    if isinstance(detail, dict) and detail:
        key, value = next(iter(detail.items()))
        return f"{key}: {_message(value)}" if key != "non_field_errors" else _message(value)
    return str(detail)


def api_exception_handler(exc, context):
    # Service-layer errors speak Django; translate them so they are 400/403/404, not 500.
    if isinstance(exc, ValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or None)
    elif isinstance(exc, RequestDataTooBig):  # Django's own body limits, met while parsing
        from .parsers import RequestTooLarge

        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        exc = RequestTooLarge(
            f"The form is larger than {limit:,} bytes, the most this API accepts."
        )
    elif isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        exc = exceptions.ParseError(f"The request has too many form fields or files ({exc}).")
    response = exception_handler(exc, context)
    if response is None:
        return None
    detail = response.data
    codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
    body = {
        "status": response.status_code,
        "code": codes if isinstance(codes, str) else "invalid",
        "message": _message(detail.get("detail", detail) if isinstance(detail, dict) else detail),
    }
    if isinstance(exc, exceptions.ValidationError):
        body["details"] = detail
    response.data = {"error": body}
    return response


def error_response(
    message: str, *, code: str, status_code: int = status.HTTP_400_BAD_REQUEST, details=None
) -> Response:
    """The same error shape, for views that answer an error without raising."""
    body = {"status": status_code, "code": code, "message": message}
    if details is not None:
        body["details"] = details
    return Response({"error": body}, status=status_code)
