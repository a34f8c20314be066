"""Writing evidence items. Each keeps its permalink (``public_id``) through every edit."""

import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from pilots.models import EvidenceItem, EvidenceKind, Initiative, Pilot
from totalplace.uploads import upload_too_large_message

from .access import require_known_fields, require_pilot_lead

EVIDENCE_FIELDS = {
    "kind",
    "title",
    "description",
    "file",
    "url",
    "body",
    "source",
    "published_on",
    "is_published",
    "is_illustrative",
    "initiative",
}


def _attach_file(item: EvidenceItem, upload: UploadedFile | None) -> None:
    if upload is None:
        return
    if upload.size is not None and upload.size > settings.MAX_UPLOAD_BYTES:
        raise ValidationError({"file": upload_too_large_message(upload.size)})
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    item.file, item.file_sha256, item.file_size = upload, digest.hexdigest(), upload.size


def _validate(item: EvidenceItem) -> None:
    errors = {}
    if item.initiative_id and item.initiative.pilot_id != item.pilot_id:
        errors["initiative"] = "That initiative belongs to another pilot."
    if item.kind == EvidenceKind.DOCUMENT and not item.file:
        errors["file"] = "Upload the document."
    if item.kind == EvidenceKind.LINK and not item.url:
        errors["url"] = "Give the link's address."
    if item.kind == EvidenceKind.NOTE and not item.body.strip():
        errors["body"] = "Write the note."
    if item.kind == EvidenceKind.DATASET and not (item.file or item.url):
        errors["file"] = "Upload the dataset or give a link to it."
    if errors:
        raise ValidationError(errors)
    item.full_clean(exclude=["pilot", "created_by", "updated_by"])


@transaction.atomic
def evidence_create(
    *,
    pilot: Pilot,
    actor: AbstractBaseUser | None,
    kind: str,
    title: str,
    file: UploadedFile | None = None,
    initiative: Initiative | None = None,
    **fields,
) -> EvidenceItem:
    """A document, link, dataset or note for a pilot (and optionally one of its initiatives)."""
    require_pilot_lead(actor=actor, pilot=pilot)
    require_known_fields(fields=fields, allowed=EVIDENCE_FIELDS)
    item = EvidenceItem(
        pilot=pilot,
        initiative=initiative,
        kind=kind,
        title=title,
        created_by=actor,
        updated_by=actor,
        **fields,
    )
    _attach_file(item, file)
    _validate(item)
    item.save()
    return item


@transaction.atomic
def evidence_update(
    *, item: EvidenceItem, actor: AbstractBaseUser | None, **fields
) -> EvidenceItem:
    """Edit an item (a new file replaces the old one); its permalink does not change."""
    require_pilot_lead(actor=actor, pilot=item.pilot_id)
    require_known_fields(fields=fields, allowed=EVIDENCE_FIELDS)
    upload = fields.pop("file", None)
    for name, value in fields.items():
        setattr(item, name, value)
    _attach_file(item, upload)
    item.updated_by = actor
    _validate(item)
    item.save()
    return item


@transaction.atomic
def evidence_delete(*, item: EvidenceItem, actor: AbstractBaseUser | None) -> None:
    require_pilot_lead(actor=actor, pilot=item.pilot_id)
    stored = item.file.name if item.file else ""
    storage = item.file.storage if item.file else None
    item.delete()
    if stored:  # remove the file only once the row is really gone
        transaction.on_commit(lambda: storage.delete(stored))
