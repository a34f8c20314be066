"""A viewset whose writes go through services, with the pilot-lead check."""

from collections.abc import Mapping

from rest_framework import status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.response import Response

from pilots.apis.permissions import IsPilotLeadOrReadOnly, require_lead_for_payload
from totalplace.query_params import KnownQueryParameters


class ServiceModelViewSet(KnownQueryParameters, viewsets.ModelViewSet):
    """List, retrieve, create, partial update and delete, writes via the app's services.

    Subclasses set ``owner_field`` ("pilot" or "initiative": the body key naming what the new
    object belongs to) and implement ``service_create``, ``service_update`` and
    ``service_delete``.
    """

    permission_classes = [IsAuthenticatedOrReadOnly, IsPilotLeadOrReadOnly]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    owner_field = "pilot"

    def create(self, request, *args, **kwargs):
        if not isinstance(request.data, Mapping):  # a JSON list or number: found by the fuzzer
            raise ValidationError({"non_field_errors": ["Send an object with the fields."]})
        owner = request.data.get(self.owner_field)
        require_lead_for_payload(
            request,
            pilot_slug=owner if self.owner_field == "pilot" else None,
            initiative_id=owner if self.owner_field == "initiative" else None,
        )
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        created = self.service_create(dict(serializer.validated_data))
        return Response(
            self.get_serializer(self.refetch(created)).data, status=status.HTTP_201_CREATED
        )

    def partial_update(self, request, *args, **kwargs):
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        owner = fields.pop(self.owner_field, None)
        if owner is not None and owner != getattr(instance, self.owner_field):
            raise ValidationError({self.owner_field: ["This cannot be moved to another one."]})
        updated = self.service_update(instance, fields)
        return Response(self.get_serializer(self.refetch(updated)).data)

    def destroy(self, request, *args, **kwargs):
        self.service_delete(self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    def refetch(self, obj):
        """The object as the list/retrieve queryset loads it (with its related rows)."""
        return self.get_queryset().get(pk=obj.pk)

    def service_create(self, fields: dict):
        raise NotImplementedError

    def service_update(self, instance, fields: dict):
        raise NotImplementedError

    def service_delete(self, instance) -> None:
        raise NotImplementedError
