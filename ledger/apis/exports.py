"""Fiscal Data Package exports: small cuts at once, large ones as a Celery job to download."""

from django.http import FileResponse, Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from ledger.calculations.cuts import Cut, CutError
from ledger.models import ExportJob, ExportStatus
from ledger.selectors.access import export_jobs_visible
from ledger.services.fiscal_data_package import (
    EXPORT_DELAYED_MESSAGE,
    export_job_create,
    fiscal_data_package_build,
    fiscal_data_package_cells,
)
from totalplace.api import error_response
from totalplace.permissions import rule_permission
from totalplace.query_params import KnownQueryParameters

from .serializers import StoredMessageField

SYNC_LIMIT = 20_000  # rows; above this the package is built by a worker


def _cut(text: str) -> Cut:
    try:
        cut = Cut.parse(text)
        cut.q()  # resolves every code now, so a bad one is a 400, not a failed job
        return cut
    except CutError as exc:
        raise serializers.ValidationError({"cut": [str(exc)]}) from exc


class FiscalDataPackageView(KnownQueryParameters, APIView):
    """A Fiscal Data Package (zip: datapackage.json + data/spend.csv) for a cut, at once.

    Cuts bigger than 20,000 rows answer 413: queue them with ``POST /api/v1/exports/``.
    """

    query_parameters = ("cut",)

    @extend_schema(
        parameters=[OpenApiParameter("cut", str, description="same syntax as the aggregate's")],
        responses={(200, "application/zip"): OpenApiTypes.BINARY},
    )
    def get(self, request):
        cut = _cut(request.query_params.get("cut", ""))
        if fiscal_data_package_cells(cut=cut, limit=SYNC_LIMIT) > SYNC_LIMIT:
            return error_response(
                f"This cut has more than {SYNC_LIMIT:,} rows: narrow it, or (analysts) POST it to "
                "/api/v1/exports/ and download the package when the job is done.",
                code="too_large",
                status_code=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            )
        response = HttpResponse(fiscal_data_package_build(cut=cut), content_type="application/zip")
        response["Content-Disposition"] = (
            'attachment; filename="totalplace-fiscal-data-package.zip"'
        )
        return response


class ExportJobSerializer(serializers.ModelSerializer):
    cut = serializers.CharField(write_only=True, required=False, allow_blank=True, default="")
    params = serializers.JSONField(read_only=True)
    download_url = serializers.SerializerMethodField()
    delayed = serializers.SerializerMethodField()
    message = serializers.SerializerMethodField()
    error = StoredMessageField(read_only=True)

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "kind",
            "cut",
            "params",
            "status",
            "rows_done",
            "rows_total",
            "error",
            "created_at",
            "finished_at",
            "download_url",
            "delayed",
            "message",
        ]
        read_only_fields = [f for f in fields if f != "cut"]

    def get_delayed(self, job: ExportJob) -> bool:
        return job.delayed_at is not None and job.status == ExportStatus.QUEUED

    def get_message(self, job: ExportJob) -> str:
        return EXPORT_DELAYED_MESSAGE if self.get_delayed(job) else ""

    def get_download_url(self, job: ExportJob) -> str | None:
        if job.status != ExportStatus.DONE:
            return None
        request = self.context.get("request")
        path = f"/api/v1/exports/{job.pk}/download/"
        return request.build_absolute_uri(path) if request else path


class ExportJobViewSet(
    KnownQueryParameters,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Large exports, for analysts: ``POST`` a cut (signed in or with a token), poll the job,
    then download. Each analyst sees only the jobs they started."""

    serializer_class = ExportJobSerializer
    permission_classes = [
        IsAuthenticated,
        rule_permission(
            "ledger.queue_export",
            read_perm="ledger.view_export_job",
            message="Large exports are for analysts: ask an administrator for the role.",
        ),
    ]
    filterset_fields = []

    def get_queryset(self):
        # Fiscal Data Packages only: a return's line download (also an ExportJob) is fetched
        # through its page, which checks again that the user may still download those lines.
        return export_jobs_visible(user=self.request.user).filter(kind="fiscal-data-package")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        job = export_job_create(cut=_cut(serializer.validated_data["cut"]), actor=request.user)
        job.refresh_from_db()
        return Response(self.get_serializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={(200, "application/zip"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        """The finished package (404 until the job is done)."""
        job = self.get_object()
        if job.status != ExportStatus.DONE or not job.file:
            raise Http404("This export is not ready yet.")
        return FileResponse(
            job.file.open("rb"), as_attachment=True, filename=job.file.name.rsplit("/", 1)[-1]
        )
