"""Evidence: documents, links, datasets and notes behind a pilot's case, each at a permalink."""

import uuid

from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from .initiative import Initiative
from .programme import Pilot

EVIDENCE_EXTENSIONS = [
    "pdf", "doc", "docx", "odt", "rtf", "txt", "md", "xls", "xlsx", "ods", "csv", "json",
    "ppt", "pptx", "odp", "zip", "png", "jpg", "jpeg",
]  # fmt: skip


class EvidenceKind(models.TextChoices):
    DOCUMENT = "document", "Document"
    LINK = "link", "Link"
    DATASET = "dataset", "Dataset"
    NOTE = "note", "Note"


def evidence_upload_to(item: "EvidenceItem", filename: str) -> str:
    # Files live under the item's permanent id: a new upload never overwrites another item's.
    return f"evidence/{item.public_id}/{filename}"


class EvidenceItem(models.Model):
    """One piece of evidence for a pilot, optionally about one of its initiatives.

    ``public_id`` is the permalink: it never changes, whatever is edited. A document is an
    uploaded file; a link points elsewhere; a dataset is a file or a link; a note is text.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    pilot = models.ForeignKey(Pilot, on_delete=models.CASCADE, related_name="evidence")
    initiative = models.ForeignKey(
        Initiative, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence"
    )
    kind = models.CharField(max_length=10, choices=EvidenceKind.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    file = models.FileField(
        upload_to=evidence_upload_to,
        blank=True,
        max_length=300,
        validators=[FileExtensionValidator(EVIDENCE_EXTENSIONS)],
    )
    file_sha256 = models.CharField(max_length=64, blank=True)
    file_size = models.PositiveBigIntegerField(null=True, blank=True)
    url = models.URLField(max_length=500, blank=True)
    body = models.TextField(blank=True, help_text="The note itself (notes only)")
    source = models.CharField(max_length=300, blank=True, help_text="Who published it, and when")
    published_on = models.DateField(null=True, blank=True)
    is_published = models.BooleanField(default=True)
    is_illustrative = models.BooleanField(default=False)

    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-published_on", "title", "id"]
        verbose_name_plural = "evidence items"
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind=EvidenceKind.DOCUMENT) | ~Q(file=""),
                name="evidence_document_has_file",
            ),
            models.CheckConstraint(
                condition=~Q(kind=EvidenceKind.LINK) | ~Q(url=""), name="evidence_link_has_url"
            ),
            models.CheckConstraint(
                condition=~Q(kind=EvidenceKind.NOTE) | ~Q(body=""), name="evidence_note_has_body"
            ),
            models.CheckConstraint(
                condition=~Q(kind=EvidenceKind.DATASET) | ~Q(file="") | ~Q(url=""),
                name="evidence_dataset_has_file_or_url",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("pilots:evidence-detail", args=[self.public_id])

    @property
    def filename(self) -> str:
        return self.file.name.rsplit("/", 1)[-1] if self.file else ""
