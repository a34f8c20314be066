"""A return's own figures (line count, total, credits, by theme), read once per version.

Summing a million-line return took 4 s of every view of its page. A submitted, approved or
superseded version's lines no longer change (officers edit only drafts and sent-back versions),
so its figures are computed in one pass and cached under its id and the time it was submitted:
a version sent back and submitted again is a new key, and nothing has to be deleted. The
rollups cannot stand in for them: they are kept per place, body, theme and year, so two
approved returns of a body (one for the whole body, one for a place) share rows, and they
hold no count of credits. Drafts are read live: only their organisation sees them, and they
change with every save.
"""

from decimal import Decimal

from django.core.cache import cache
from django.db.models import Count, Q, Sum

from ledger.models import ServiceTheme, SpendLine, SpendReturn, SpendReturnStatus

CACHE_SECONDS = 7 * 24 * 3600
ZERO = Decimal("0.00")


def _cache_key(spend_return: SpendReturn, what: str = "figures") -> str | None:
    if spend_return.status not in SpendReturnStatus.frozen():
        return None
    stamp = spend_return.submitted_at or spend_return.approved_at
    # created_at as well: a return never submitted through the site (a bulk load) has no
    # other time of its own.
    return (
        f"spend-return-{what}:v1:{spend_return.pk}:{spend_return.created_at.timestamp()}:"
        f"{stamp.timestamp() if stamp else ''}"
    )


def _compute(spend_return_id: int) -> dict:
    """One pass over the return's lines, grouped by theme; everything else adds those up."""
    rows = list(
        SpendLine.objects.filter(spend_return_id=spend_return_id)
        .values("theme_id")
        .annotate(
            count=Count("id"),
            total=Sum("amount"),
            credits=Count("id", filter=Q(amount__lt=0)),
        )
        .order_by()
    )
    themes = {
        t.pk: t for t in ServiceTheme.objects.filter(pk__in=[row["theme_id"] for row in rows])
    }
    by_theme = sorted(
        (
            {
                "theme__code": themes[row["theme_id"]].code,
                "theme__name": themes[row["theme_id"]].name,
                "count": row["count"],
                "total": row["total"] or ZERO,
            }
            for row in rows
        ),
        key=lambda theme: (-theme["total"], theme["theme__code"]),
    )
    unallocated = [t for t in by_theme if t["theme__code"] == ServiceTheme.UNALLOCATED_CODE]
    return {
        "count": sum(row["count"] for row in rows),
        "total": sum((row["total"] or ZERO for row in rows), ZERO),
        "credits": sum(row["credits"] for row in rows),
        "unallocated_count": sum(t["count"] for t in unallocated),
        "unallocated_total": sum((t["total"] for t in unallocated), ZERO),
        "themes": by_theme,
    }


def spend_return_figures(*, spend_return: SpendReturn) -> dict:
    """Count, total, credits, the unallocated share and the figures by theme (largest total
    first) of one return: cached once its lines are frozen, else computed now."""
    key = _cache_key(spend_return)
    figures = cache.get(key) if key else None
    if figures is None:
        figures = _compute(spend_return.pk)
        if key:
            cache.set(key, figures, CACHE_SECONDS)
    return figures


def spend_returns_with_figures(spend_returns) -> list[SpendReturn]:
    """The returns, each with ``line_count`` and ``line_total``: a frozen one's from the cache
    (its figures, or its count and total alone, kept by an earlier list), every other one's
    from a single grouped query (one, however many)."""
    spend_returns = list(spend_returns)
    keys = {
        r.pk: (_cache_key(r), _cache_key(r, "count"))
        for r in spend_returns
        if r.status in SpendReturnStatus.frozen()
    }
    cached = cache.get_many([k for pair in keys.values() for k in pair]) if keys else {}
    missing = []
    for spend_return in spend_returns:
        figures_key, count_key = keys.get(spend_return.pk, (None, None))
        figures = cached.get(figures_key) or cached.get(count_key)
        if figures is None:
            missing.append(spend_return)
        else:
            spend_return.line_count, spend_return.line_total = figures["count"], figures["total"]
    if not missing:
        return spend_returns
    counted = {
        row["spend_return_id"]: row
        for row in SpendLine.objects.filter(spend_return__in=missing)
        .values("spend_return_id")
        .annotate(count=Count("id"), total=Sum("amount"))
        .order_by()
    }
    keep = {}
    for spend_return in missing:
        row = counted.get(spend_return.pk, {})
        spend_return.line_count = row.get("count", 0)
        spend_return.line_total = row.get("total") or ZERO
        if spend_return.pk in keys:
            count = {"count": spend_return.line_count, "total": spend_return.line_total}
            keep[keys[spend_return.pk][1]] = count
    if keep:
        cache.set_many(keep, CACHE_SECONDS)
    return spend_returns
