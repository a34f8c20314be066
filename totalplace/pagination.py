"""The API's one pagination style, on every list endpoint: ``limit`` and an opaque cursor.

A page has ``limit`` rows (default 100, at most 1000: above the cap a client simply gets the
cap; not a positive whole number: 400) and ``next``/``previous`` links carrying a ``cursor``
that clients take from the links, never build. Without a cap, ``?limit=10**26`` reached
PostgreSQL as a LIMIT beyond bigint (a 500, found by the API fuzz).

What the cursor holds depends on the list, invisibly to clients:
- the lines (``KeysetPagination``): the last line's id, so the ten-thousandth page of 10M
  lines is one index range, as fast as the first, where an offset scans every row before it;
- every other list (``CursorPagination``, the default): a position in the list's own order
  (newest year first, by name...), which a keyset on one column could not keep without
  repeating or skipping rows that tie. These lists are small, so an offset costs nothing.
No page counts its rows (no COUNT query): on the lines that alone took seconds.
"""

from base64 import urlsafe_b64decode, urlsafe_b64encode
from binascii import Error as Base64Error

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
LIMIT_HELP = f"Rows per page (default {DEFAULT_LIMIT}, at most {MAX_LIMIT})."
MAX_OFFSET_DIGITS = 12
CURSOR_HELP = "Where the page starts: take it from a `next` or `previous` link."


def limit_from(request) -> int:
    wanted = request.query_params.get("limit", "")
    if wanted == "":
        return DEFAULT_LIMIT
    if not wanted.isdigit() or int(wanted) < 1:
        raise ValidationError({"limit": ["A positive whole number."]})
    return min(int(wanted), MAX_LIMIT)


class KeysetPagination(pagination.CursorPagination):
    """Pages by the id of the last row (DRF's cursor): for lists ordered by a unique id."""

    ordering = "id"
    page_size_query_param = "limit"
    page_size_query_description = LIMIT_HELP
    max_page_size = MAX_LIMIT
    cursor_query_description = CURSOR_HELP

    def get_page_size(self, request) -> int:
        return limit_from(request)

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except (ValueError, DjangoValidationError) as exc:
            # A hand-made cursor whose position is no id (found by fuzzing, not by links).
            if self.cursor_query_param in request.query_params:
                raise NotFound(self.invalid_cursor_message) from exc
            raise


class CursorPagination(pagination.BasePagination):
    """Pages through a list in its own order; the cursor holds the first row's position."""

    cursor_query_param = "cursor"

    def paginate_queryset(self, queryset, request, view=None):
        self.request, self.limit = request, limit_from(request)
        self.offset = self._decode(request.query_params.get(self.cursor_query_param))
        rows = list(queryset[self.offset : self.offset + self.limit + 1])
        self.has_next = len(rows) > self.limit
        return rows[: self.limit]

    def get_paginated_response(self, data):
        return Response({"next": self._link(True), "previous": self._link(False), "results": data})

    def _link(self, forward: bool) -> str | None:
        url = self.request.build_absolute_uri()
        if forward:
            return self._at(url, self.offset + self.limit) if self.has_next else None
        if self.offset <= 0:
            return None
        start = max(self.offset - self.limit, 0)
        return self._at(url, start) if start else remove_query_param(url, self.cursor_query_param)

    def _at(self, url: str, offset: int) -> str:
        cursor = urlsafe_b64encode(f"o={offset}".encode()).decode()
        return replace_query_param(url, self.cursor_query_param, cursor)

    def _decode(self, cursor: str | None) -> int:
        if not cursor:
            return 0
        try:
            key, _, value = urlsafe_b64decode(cursor.encode()).decode().partition("=")
            # Beyond any real list, and beyond PostgreSQL's bigint OFFSET if much larger.
            if key != "o" or not value.isdigit() or len(value) > MAX_OFFSET_DIGITS:
                raise ValueError(cursor)
        except (Base64Error, UnicodeError, ValueError) as exc:
            raise NotFound("Invalid cursor") from exc
        return int(value)

    def get_paginated_response_schema(self, schema):
        link = {"type": "string", "nullable": True, "format": "uri"}
        return {
            "type": "object",
            "required": ["results"],
            "properties": {"next": link, "previous": link, "results": schema},
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": name,
                "required": False,
                "in": "query",
                "description": description,
                "schema": {"type": kind},
            }
            for name, description, kind in [
                (self.cursor_query_param, CURSOR_HELP, "string"),
                ("limit", LIMIT_HELP, "integer"),
            ]
        ]
