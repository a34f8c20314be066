"""Every API view refuses query parameters it does not know, with a 400 naming the valid ones.

An ignored parameter answers a different question than the one asked: ``/api/v1/lines/?
financial_year=2010-11`` used to list every year's lines. A view knows the parameters of its
filters (the filter backends' FilterSet), of its pages (the paginator's, on lists
only), ``format``, and its own (``query_parameters``: names, or names by viewset action).
The OpenAPI schema lists the same filters and pages, so the two cannot drift apart.
"""

from collections.abc import Mapping

from rest_framework.exceptions import ValidationError
from rest_framework.mixins import ListModelMixin
from rest_framework.settings import api_settings

# Where filters apply: lists (a viewset's, or a generic list view's). A retrieve filters its
# lookup too, but a filter on one object by its id only turns a 200 into a 404: refused.
FILTERED_ACTIONS = {None, "list"}


class UnknownQueryParameter(ValidationError):
    pass


def _lists(view) -> bool:
    action = getattr(view, "action", None)
    if action is not None:
        return action == "list"
    return isinstance(view, ListModelMixin) and view.request.method == "GET"


def _filter_parameters(backend, view) -> set[str]:
    if hasattr(backend, "get_filterset_class"):  # django-filter: its FilterSet's filters
        # Only filters declared by field names need the queryset (for its model).
        queryset = view.get_queryset() if getattr(view, "filterset_fields", None) else None
        filterset = backend.get_filterset_class(view, queryset)
        return set(filterset.base_filters) if filterset else set()
    return {p["name"] for p in backend.get_schema_operation_parameters(view)}


def known_query_parameters(view) -> set[str]:
    """The query parameters ``view`` reads for the request it is answering."""
    action = getattr(view, "action", None)
    own = getattr(view, "query_parameters", ())
    if isinstance(own, Mapping):
        own = own.get(action, ())
    known = {api_settings.URL_FORMAT_OVERRIDE, *own}
    if action in FILTERED_ACTIONS:
        for backend_class in getattr(view, "filter_backends", ()):
            known |= _filter_parameters(backend_class(), view)
    if _lists(view) and getattr(view, "paginator", None) is not None:
        known |= {p["name"] for p in view.paginator.get_schema_operation_parameters(view)}
    return known


def refuse_unknown_query_parameters(view, request) -> None:
    known = known_query_parameters(view)
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        valid = ", ".join(sorted(known))
        message = f"Unknown query parameter. Valid parameters here: {valid}."
        raise UnknownQueryParameter({name: [message] for name in unknown})


class KnownQueryParameters:
    """Mixin for every API view (before the DRF class): unknown query parameters are a 400.

    Checked after authentication and permissions, so a caller who may not use the view
    learns that first."""

    query_parameters: tuple[str, ...] | Mapping[str, tuple[str, ...]] = ()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        refuse_unknown_query_parameters(self, request)
