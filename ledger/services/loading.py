"""Helpers for idempotent loaders: upsert by natural key and count what happened."""

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    notes: list[str] = field(default_factory=list)

    def count(self, created: bool, changed: bool) -> None:
        if created:
            self.created += 1
        elif changed:
            self.updated += 1
        else:
            self.unchanged += 1


def upsert(model, lookup: dict, values: dict):
    """update_or_create that also says whether anything actually changed."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        return model.objects.create(**lookup, **values), True, True
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    if changed:
        obj.save(update_fields=changed)
    return obj, False, bool(changed)


def csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def codes_split(text: str | None) -> list[str]:
    """``"E10000006;E06000063"`` → the codes, blanks dropped."""
    return [code.strip() for code in (text or "").split(";") if code.strip()]


def aliases_parse(text: str | None) -> list[tuple[str, str]]:
    """``"nuts1:UKC;cra:ENGLAND_East"`` → ``[("nuts1", "UKC"), ("cra", "ENGLAND_EAST")]``.

    Aliases come back upper case, as they are stored and compared. Only the first colon separates
    scheme from alias: CRA names such as "Cabinet Office: Civil Superannuation" keep theirs.
    """
    pairs = []
    for item in codes_split(text):
        scheme, colon, alias = item.partition(":")
        if not colon or not scheme.strip() or not alias.strip():
            raise ValueError(f"alias “{item}” is not written scheme:alias")
        pairs.append((scheme.strip(), alias.strip().upper()))
    return pairs


def date_or_none(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text.strip()) if text and text.strip() else None
