"""National datasets: the list of datasets and their editions, and uploading an edition."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect, render

from ledger.models import DatasetFormat, DatasetRoute
from ledger.selectors.datasets import datasets_visible, is_dataset_editor
from ledger.services.datasets.editions import dataset_create, dataset_edition_upload
from totalplace.errors import error_text
from totalplace.permissions import permission_required

from .dataset_forms import DatasetUploadForm

ONLY_EDITORS = "Only dataset editors (and staff) can load national datasets: ask an administrator."
# The route follows the format: a table by authority is bottom-up, a regional one top-down.
ROUTE_OF_FORMAT = {
    DatasetFormat.WIDE: DatasetRoute.BOTTOM_UP,
    DatasetFormat.REGIONAL: DatasetRoute.TOP_DOWN,
}


def dataset_list(request):
    """Every dataset the user may see, with its editions: approved ones for everyone, every
    edition for dataset editors."""
    return render(
        request,
        "ledger/datasets/list.html",
        {
            "datasets": datasets_visible(user=request.user),
            "can_load": is_dataset_editor(request.user),
        },
    )


@transaction.atomic
def _upload(data: dict, actor):
    # One transaction: a new dataset whose file is refused is not left behind empty.
    dataset = data["dataset"] or dataset_create(
        title=data["title"],
        publisher=data["publisher"],
        format=data["format"],
        route=ROUTE_OF_FORMAT[DatasetFormat(data["format"])],
        source_url=data["source_url"],
        licence=data["licence"],
        description=data["description"],
        actor=actor,
    )
    return dataset_edition_upload(
        dataset=dataset,
        edition=data["edition"],
        upload=data["file"],
        filename=data["file"].name,
        is_illustrative=data["is_illustrative"],
        actor=actor,
    )


@permission_required("ledger.load_datasets", message=ONLY_EDITORS)
def dataset_upload(request):
    """Upload an edition of a dataset (a new one described here, or one already listed); its
    preview starts at once and its page follows it."""
    form = DatasetUploadForm(
        request.POST or None,
        request.FILES or None,
        initial={"dataset": request.GET.get("dataset", "")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            edition = _upload(form.cleaned_data, request.user)
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, error_text(exc))
        else:
            return redirect("dataset-edition-detail", pk=edition.pk)
    return render(request, "ledger/datasets/upload.html", {"form": form})
