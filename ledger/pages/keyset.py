"""Keyset (cursor) pages of lines: "next" carries the last id seen, "previous" the first.

A deep OFFSET makes the database read and throw away every row before the page (page 20,000
of a million-line return read a million rows, 5 s); ``id > last seen`` starts where the index
says, so the last page costs what the first does. Pages are ordered by id: lines are written in
file order (imports, copies of a version), so id order is file order within a file, and every
line table has an index that leads to ``id`` for the filters the pages use (the primary key,
and ``spend_line_return_id`` for a return's lines).

Old bookmarks (``?page=N``) still work for the first pages (a small OFFSET is cheap); deeper
ones are sent to the first page.
"""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.shortcuts import redirect

MAX_OFFSET_PAGE = 20  # ?page=N bookmarks served up to here; deeper: redirected to the first


@dataclass
class KeysetPage:
    object_list: list
    after: int | None  # the cursor of the next page (None: this is the last)
    before: int | None  # the cursor of the previous page (None: this is the first)

    @property
    def has_next(self) -> bool:
        return self.after is not None

    @property
    def has_previous(self) -> bool:
        return self.before is not None

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    def __len__(self) -> int:
        return len(self.object_list)

    def __iter__(self):
        return iter(self.object_list)


def _cursor(request, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() and len(value) < 19 else None


def old_page_redirect(request, anchor: str = ""):
    """A redirect to the first page for a ``?page=N`` bookmark too deep to serve, else None."""
    value = request.GET.get("page", "")
    if not value or (value.isdigit() and 1 <= int(value) <= MAX_OFFSET_PAGE):
        return None
    query = request.GET.copy()
    del query["page"]
    encoded = query.urlencode()
    return redirect(f"{request.path}{'?' + encoded if encoded else ''}{anchor}")


def keyset_page(lines: QuerySet, *, request, per_page: int) -> KeysetPage:
    """One page of ``lines`` (ordered here by id) from ``?after=`` / ``?before=`` (or a
    shallow ``?page=``): one query, whichever page."""
    after, before = _cursor(request, "after"), _cursor(request, "before")
    if before is not None and after is None:
        rows = list(lines.filter(id__lt=before).order_by("-id")[: per_page + 1])
        earlier = len(rows) > per_page
        rows = rows[:per_page][::-1]
        if rows:
            return KeysetPage(rows, rows[-1].pk, rows[0].pk if earlier else None)
        after = None  # nothing before it: the first page
    ordered = lines.order_by("id")
    page_number = request.GET.get("page", "")
    if after is None and page_number.isdigit() and 1 < int(page_number) <= MAX_OFFSET_PAGE:
        offset = (int(page_number) - 1) * per_page
        rows = list(ordered[offset : offset + per_page + 1])
        shown = rows[:per_page]
        return KeysetPage(
            shown,
            shown[-1].pk if len(rows) > per_page else None,
            shown[0].pk if shown else None,
        )
    rows = list((ordered.filter(id__gt=after) if after is not None else ordered)[: per_page + 1])
    shown = rows[:per_page]
    return KeysetPage(
        shown,
        shown[-1].pk if len(rows) > per_page else None,
        shown[0].pk if shown and after is not None else None,
    )
