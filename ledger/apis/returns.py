"""Spend returns over the API: token-authenticated, always for the token's own organisation.

Under ``/api/v1/organisation/``: a client creates a draft, imports a file (which starts the
preview job), polls the job, confirms it, and submits the return for sign-off; another person,
an approver, signs it off (on the site or with their own token).
"""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.exceptions import NotAuthenticated, PermissionDenied
from rest_framework.generics import ListAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from ledger.authentication import ApiTokenAuthentication
from ledger.models import (
    ApiToken,
    FinancialYear,
    Organisation,
    Place,
    SpendReturn,
    SpendReturnStatus,
)
from ledger.selectors.imports import column_mapping_get, import_jobs_of_organisation
from ledger.selectors.returns import spend_returns_of_organisation
from ledger.services.approval import spend_return_approve, spend_return_submit
from ledger.services.imports.confirm import import_job_request_confirm
from ledger.services.imports.corrections import import_job_correct
from ledger.services.imports.jobs import import_job_create
from ledger.services.imports.queueing import import_job_retry_if_delayed
from ledger.services.returns import spend_return_create
from ledger.services.years import financial_year_get
from totalplace.parsers import LimitedFormParser, LimitedJSONParser
from totalplace.permissions import has_perm
from totalplace.query_params import KnownQueryParameters

from .returns_serializers import (
    ImportConfirmSerializer,
    ImportCorrectionsSerializer,
    ImportFileSerializer,
    ImportJobSerializer,
    OrganisationSpendReturnSerializer,
    SpendReturnApproveSerializer,
    SpendReturnCreateSerializer,
)


class HasOrganisationToken(BasePermission):
    """Only requests carrying an API token: it says which organisation they act for. Reads
    need any role in it; writes the finance officer's (``ledger/permissions.py``). A token stops
    working here as soon as its user loses the role."""

    def has_permission(self, request, view) -> bool:
        if not isinstance(request.auth, ApiToken):
            raise NotAuthenticated("An API token is needed: send “Authorization: Token <key>”.")
        if request.auth.organisation is None:
            raise PermissionDenied(
                "This token acts for no organisation: make one for your organisation "
                "on your API tokens page (/account/api-tokens/)."
            )
        return self._check(request, request.auth.organisation)

    def has_object_permission(self, request, view, obj) -> bool:
        return self._check(request, obj)

    @staticmethod
    def _check(request, obj) -> bool:
        organisation = request.auth.organisation
        if request.method in SAFE_METHODS:
            if not has_perm(request.user, "ledger.see_drafts", obj):
                raise PermissionDenied(f"This token's user has no role in {organisation}.")
        elif not has_perm(request.user, "ledger.prepare_returns", obj):
            raise PermissionDenied(
                f"Only finance officers of {organisation} can change its spend returns."
            )
        return True


class TokenView(KnownQueryParameters):
    """Everything here belongs to the token's organisation: another organisation's returns
    and imports are not found (404), even if the token's user is also a member there."""

    authentication_classes = [ApiTokenAuthentication]
    permission_classes = [HasOrganisationToken]

    def organisation(self):
        return self.request.auth.organisation

    def spend_return(self, pk: int) -> SpendReturn:
        spend_return = get_object_or_404(
            spend_returns_of_organisation(organisation=self.organisation()), pk=pk
        )
        self.check_object_permissions(self.request, spend_return)
        return spend_return


def _place(code: str | None) -> Place | None:
    if not code:
        return None
    found = list(Place.objects.by_code(code))
    if len(found) != 1:
        raise ValidationError({"place": f"No place has the code “{code}”."})
    return found[0]


class SpendReturnListCreate(TokenView, ListAPIView):
    serializer_class = OrganisationSpendReturnSerializer
    query_parameters = ("year", "status")

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no token
            return SpendReturn.objects.none()
        return spend_returns_of_organisation(
            organisation=self.organisation(),
            year=self.request.query_params.get("year", ""),
            status=self.request.query_params.get("status", ""),
        )

    @extend_schema(
        summary="List your organisation's spend returns",
        description="Every version in every status, newest year first. Filter with `year` "
        "(e.g. 2010-11) and `status` (draft, submitted, approved, sent_back, superseded).",
        parameters=[
            OpenApiParameter("year", str, description="financial year, e.g. 2010-11"),
            OpenApiParameter("status", str, enum=list(SpendReturnStatus.values)),
        ],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Start a spend return",
        description="A new draft for the token's organisation: version 1, or the next version "
        "when the organisation already has a return for that year (and place). The approved "
        "version keeps counting in the totals until the new one is approved.",
        request=SpendReturnCreateSerializer,
        responses={201: OrganisationSpendReturnSerializer},
    )
    def post(self, request):
        incoming = SpendReturnCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        try:
            year = financial_year_get(data["financial_year"])
        except ValueError as exc:
            raise ValidationError({"financial_year": str(exc)}) from exc
        except FinancialYear.DoesNotExist as exc:  # well formed, but not a year we hold
            raise ValidationError(
                {"financial_year": f"“{data['financial_year']}” is not a financial year we know."}
            ) from exc
        spend_return = spend_return_create(
            organisation=self.organisation(),
            financial_year=year,
            place=_place(data.get("place")),
            actor=request.user,
            title=data.get("title", ""),
            notes=data.get("notes", ""),
            control_total=data.get("control_total"),
            declared_months=data.get("declared_months"),
        )
        spend_return = self.spend_return(spend_return.pk)
        return Response(
            OrganisationSpendReturnSerializer(spend_return).data, status=status.HTTP_201_CREATED
        )


class SpendReturnDetail(TokenView, APIView):
    @extend_schema(
        summary="One of your organisation's spend returns",
        responses=OrganisationSpendReturnSerializer,
    )
    def get(self, request, pk: int):
        """A spend return with its line count and total (all versions are separate returns)."""
        return Response(OrganisationSpendReturnSerializer(self.spend_return(pk)).data)


class SpendReturnImport(TokenView, APIView):
    parser_classes = [MultiPartParser, LimitedFormParser]

    @extend_schema(
        summary="Import a spend file into a draft",
        description="Stores the file and starts its preview job: reading, mapping and "
        "validating every row. Nothing reaches the return until the job is confirmed. A file "
        "already imported for the organisation and year (same SHA-256) is refused, naming the "
        "return that holds it. Poll the job until its status is `ready` (or `invalid`, "
        "`needs_mapping`, `failed`).",
        request={"multipart/form-data": ImportFileSerializer},
        responses={202: ImportJobSerializer},
    )
    def post(self, request, pk: int):
        spend_return = self.spend_return(pk)
        incoming = ImportFileSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        mapping = None
        if data.get("mapping"):
            mapping = column_mapping_get(organisation=self.organisation(), name=data["mapping"])
            if mapping is None:
                raise ValidationError({"mapping": f"No saved mapping “{data['mapping']}”."})
        job = import_job_create(
            spend_return=spend_return,
            file=data["file"],
            actor=request.user,
            filename=data["file"].name,
            mode=data["mode"],
            place=_place(data.get("place")),
            apportion=data["apportion"],
            driver=data["driver"],
            control_total=data.get("control_total"),
            mapping=mapping,
        )
        job.refresh_from_db()
        return Response(ImportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


@extend_schema_view(
    post=extend_schema(
        summary="Import a spend file into a draft (deprecated: use …/imports/)",
        deprecated=True,
    )
)
class SpendReturnImportDeprecated(SpendReturnImport):
    """The import route's old address (``files/``), kept working for existing clients: the
    same request and answer as ``spend-returns/{id}/imports/``."""


class SpendReturnSubmit(TokenView, APIView):
    parser_classes = [LimitedJSONParser, LimitedFormParser]

    @extend_schema(
        summary="Submit a draft for sign-off",
        request=None,
        responses=OrganisationSpendReturnSerializer,
    )
    def post(self, request, pk: int):
        """Sends the draft to the organisation's approvers; its lines must match its control
        total when one was declared. An approver (another person) signs it off."""
        spend_return_submit(spend_return=self.spend_return(pk), actor=request.user)
        return Response(OrganisationSpendReturnSerializer(self.spend_return(pk)).data)


class IsOrganisationApprover(HasOrganisationToken):
    """Sign-off is the approvers' (the service also refuses their own submissions)."""

    @staticmethod
    def _check(request, obj) -> bool:
        # The role, asked of the organisation: the act itself is the service's to refuse.
        organisation = obj if isinstance(obj, Organisation) else obj.organisation
        if not has_perm(request.user, "ledger.approve_spend_return", organisation):
            raise PermissionDenied(
                f"Only approvers of {request.auth.organisation} can sign off its spend returns."
            )
        return True


class SpendReturnApprove(TokenView, APIView):
    parser_classes = [LimitedJSONParser, LimitedFormParser]
    permission_classes = [IsOrganisationApprover]

    @extend_schema(
        summary="Approve a submitted return",
        request=SpendReturnApproveSerializer,
        responses=OrganisationSpendReturnSerializer,
    )
    def post(self, request, pk: int):
        """Signs off a return another person submitted: it replaces the approved version in
        the totals. When its check-list has warnings (lines outside the year, a file or
        transactions already in another return, a part year, large payments to public bodies
        matched to none) a `reason` is needed: without one the answer is 400, naming them."""
        incoming = SpendReturnApproveSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        spend_return_approve(
            spend_return=self.spend_return(pk),
            actor=request.user,
            reason=incoming.validated_data.get("reason", ""),
        )
        return Response(OrganisationSpendReturnSerializer(self.spend_return(pk)).data)


class ImportJobDetail(TokenView, APIView):
    def job(self, pk: int):
        job = get_object_or_404(
            import_jobs_of_organisation(organisation=self.organisation()), pk=pk
        )
        self.check_object_permissions(self.request, job)
        return job

    @extend_schema(summary="An import job's progress and preview", responses=ImportJobSerializer)
    def get(self, request, pk: int):
        """Status, rows done of the total, and when the preview is done: the mapping used,
        line count, total, credits, dropped rows, unallocated lines and the first errors
        with their file row, column and value. ``delayed`` is true while the job queue cannot
        be reached; polling queues the job again once it can."""
        job = self.job(pk)
        if import_job_retry_if_delayed(job=job):
            job = self.job(pk)
        return Response(ImportJobSerializer(job).data)


class ImportJobConfirm(ImportJobDetail):
    parser_classes = [LimitedJSONParser, LimitedFormParser]

    @extend_schema(
        summary="Confirm a previewed import",
        request=ImportConfirmSerializer,
        responses={202: ImportJobSerializer},
    )
    def post(self, request, pk: int):
        """Queues the copy of the previewed lines into the return: all of them, in one
        transaction, or none. Poll the job until its status is `confirmed`. A file already in
        another approved or submitted return (any organisation, any year) is refused (400,
        naming it) unless `acknowledge_duplicate` is true and a `reason` given."""
        incoming = ImportConfirmSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        import_job_request_confirm(
            job=self.job(pk),
            actor=request.user,
            acknowledge_duplicate=incoming.validated_data["acknowledge_duplicate"],
            duplicate_reason=incoming.validated_data.get("reason", ""),
        )
        return Response(ImportJobSerializer(self.job(pk)).data, status=status.HTTP_202_ACCEPTED)


class ImportJobCorrect(ImportJobDetail):
    parser_classes = [LimitedJSONParser]

    @extend_schema(
        summary="Correct cells of a previewed import",
        request=ImportCorrectionsSerializer,
        responses={202: ImportJobSerializer},
    )
    def post(self, request, pk: int):
        """Corrects cells of the file by row number and column header (as the job's errors
        name them) and queues the preview again with them; poll the job as after an upload.
        The file is kept as published: each correction records the cell's text in the file,
        the corrected text and who corrected it. Correcting a cell again replaces its value;
        ``remove`` (or the file's own text) takes the correction away. Only before the
        import is confirmed."""
        job = self.job(pk)
        incoming = ImportCorrectionsSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        import_job_correct(
            job=job, corrections=incoming.validated_data["corrections"], actor=request.user
        )
        return Response(ImportJobSerializer(self.job(pk)).data, status=status.HTTP_202_ACCEPTED)


PREFIX = "organisation/"
urlpatterns = [
    path(f"{PREFIX}spend-returns/", SpendReturnListCreate.as_view(), name="api-own-return-list"),
    path(
        f"{PREFIX}spend-returns/<int:pk>/",
        SpendReturnDetail.as_view(),
        name="api-own-return-detail",
    ),
    path(
        f"{PREFIX}spend-returns/<int:pk>/imports/",
        SpendReturnImport.as_view(),
        name="api-own-return-import",
    ),
    path(
        f"{PREFIX}spend-returns/<int:pk>/files/",
        SpendReturnImportDeprecated.as_view(),
        name="api-own-return-import-deprecated",
    ),
    path(
        f"{PREFIX}spend-returns/<int:pk>/submit/",
        SpendReturnSubmit.as_view(),
        name="api-own-return-submit",
    ),
    path(
        f"{PREFIX}spend-returns/<int:pk>/approve/",
        SpendReturnApprove.as_view(),
        name="api-own-return-approve",
    ),
    path(f"{PREFIX}imports/<int:pk>/", ImportJobDetail.as_view(), name="api-own-import-detail"),
    path(
        f"{PREFIX}imports/<int:pk>/confirm/",
        ImportJobConfirm.as_view(),
        name="api-own-import-confirm",
    ),
    path(
        f"{PREFIX}imports/<int:pk>/corrections/",
        ImportJobCorrect.as_view(),
        name="api-own-import-corrections",
    ),
]
