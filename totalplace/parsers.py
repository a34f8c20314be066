"""Request body parsers with limits: a body too big is a 413, one nested too deep a 400.

DRF's own parsers read the whole body whatever its size (they bypass Django's
``DATA_UPLOAD_MAX_MEMORY_SIZE``), and a JSON body of a few kilobytes of ``[[[[...`` overflows
the decoder's recursion into a server error. These read at most the limit plus one byte and
check nesting before anything else sees the data. Both errors keep the API's error shape.
"""

from django.conf import settings
from django.http import QueryDict
from rest_framework import parsers, status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.settings import api_settings
from rest_framework.utils import json

DEFAULT_MAX_JSON_BYTES = 1024 * 1024
DEFAULT_MAX_JSON_DEPTH = 32


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "too_large"


def _read_limited(stream, parser_context: dict | None, limit: int, what: str) -> bytes:
    """The body, refusing it (413) as soon as it is known to exceed ``limit`` bytes."""
    request = (parser_context or {}).get("request")
    declared = request.META.get("CONTENT_LENGTH") if request is not None else None
    message = f"The {what} is larger than {limit:,} bytes, the most this API accepts."
    try:
        if declared and int(declared) > limit:
            raise RequestTooLarge(message)
    except ValueError:
        pass  # a malformed length: count the bytes instead
    body = stream.read(limit + 1) if stream is not None else b""
    if len(body) > limit:
        raise RequestTooLarge(message)
    return body


def json_depth(value) -> int:
    """How deeply lists and objects nest (a scalar is 0), without recursion."""
    deepest, pending = 0, [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        pending.extend((child, depth + 1) for child in children)
    return deepest


class LimitedJSONParser(parsers.JSONParser):
    """JSON of at most ``API_MAX_JSON_BYTES`` bytes, nested at most ``API_MAX_JSON_DEPTH``."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = getattr(settings, "API_MAX_JSON_BYTES", DEFAULT_MAX_JSON_BYTES)
        max_depth = getattr(settings, "API_MAX_JSON_DEPTH", DEFAULT_MAX_JSON_DEPTH)
        body = _read_limited(stream, parser_context, limit, "JSON body")
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        too_deep = ParseError(f"The JSON is nested more than {max_depth} levels deep.")
        try:
            text = body.decode(encoding)
            parse_constant = json.strict_constant if api_settings.STRICT_JSON else None
            data = json.loads(text, parse_constant=parse_constant)
        except RecursionError:
            raise too_deep from None
        except (ValueError, LookupError) as exc:  # includes UnicodeDecodeError
            raise ParseError(f"JSON parse error - {exc}") from exc
        if json_depth(data) > max_depth:
            raise too_deep
        return data


class LimitedFormParser(parsers.FormParser):
    """URL-encoded forms of at most ``DATA_UPLOAD_MAX_MEMORY_SIZE`` bytes (Django's own limit)."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or DEFAULT_MAX_JSON_BYTES
        body = _read_limited(stream, parser_context, limit, "form")
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        return QueryDict(body, encoding=encoding)
