"""Small shared shapes: percentages, organisations, places, links (money is the ledger's)."""

from rest_framework import serializers
from rest_framework.fields import empty
from rest_framework.reverse import reverse

from ledger.models import Organisation, Place


def Percent(**kwargs) -> serializers.DecimalField:  # noqa: N802
    return serializers.DecimalField(max_digits=5, decimal_places=2, **kwargs)


class PublishedField(serializers.BooleanField):
    """``is_published``, true unless said otherwise, in JSON and in multipart forms alike
    (DRF reads a checkbox missing from a form as false)."""

    default_empty_html = empty

    def __init__(self, **kwargs):
        kwargs.setdefault("default", True)
        super().__init__(**kwargs)


def absolute(request, path: str) -> str:
    return request.build_absolute_uri(path) if request is not None else path


def api_url(request, name: str, *args) -> str:
    return reverse(name, args=args, request=request)


def attribution_url(request, scope: str, key) -> str:
    """Where the savings land for one pilot, initiative, programme or place, in the API."""
    return f"{api_url(request, 'api-attribution-list')}?scope={scope}&key={key}"


class OrganisationBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["code", "name", "sector"]


class PlaceBriefSerializer(serializers.ModelSerializer):
    code = serializers.CharField(read_only=True)
    html_url = serializers.SerializerMethodField()

    class Meta:
        model = Place
        fields = ["code", "gss_code", "snac_code", "name", "kind", "html_url"]

    def get_html_url(self, place: Place) -> str:
        from django.urls import reverse as django_reverse

        return absolute(
            self.context.get("request"), django_reverse("place-detail", args=[place.slug])
        )
