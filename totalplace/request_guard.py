"""Refusing NUL bytes in query strings and form fields before any view sees them.

PostgreSQL cannot hold a NUL in text, and psycopg raises (a 500) when a filter carries one. Form
and serializer fields already refuse them; query-string filters and raw values read before
validation do not, so they are refused here, once, with a 400 that names the parameter.
"""

import contextlib

from django.core.exceptions import SuspiciousOperation
from django.http import JsonResponse
from django.shortcuts import render

# Multipart bodies are left to the forms and serializers (their fields refuse NUL), so that
# a file upload is not parsed here before the size checks and the views want it.
FORM_TYPE = "application/x-www-form-urlencoded"


def _nul_parameter(query) -> str | None:
    for key, values in query.lists():
        if "\x00" in key or any("\x00" in value for value in values):
            return key.replace("\x00", "\\0")
    return None


class RejectNulBytesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        name = _nul_parameter(request.GET)
        if name is None and request.method == "POST" and request.content_type == FORM_TYPE:
            # Too big or too many fields: the view raises it again and answers in its own
            # shape (the API's 413/400), so say nothing here.
            with contextlib.suppress(SuspiciousOperation):
                name = _nul_parameter(request.POST)
        if name is None:
            return self.get_response(request)
        message = f'The parameter "{name}" contains a NUL character (\\0), which is not allowed.'
        if request.path.startswith("/api/"):
            body = {"error": {"status": 400, "code": "invalid", "message": message}}
            return JsonResponse(body, status=400)
        return render(request, "400.html", {"message": message}, status=400)
