"""Which service theme a line belongs to: theme rules, the organisation's own first.

Rules compare normalised text ("Children's Services" and "childrens services" are equal). For
each field, most specific first (expense or SeRCOP code, service label, expense area, expense
type, description), an exact match wins over a "contains the words" match, and a longer
phrase over a shorter one ("car park" before "park"). No match: the "unallocated" theme.
"""

import csv
from pathlib import Path

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from ledger.importers.layouts import normalise
from ledger.models import (
    Organisation,
    ServiceTheme,
    ThemeRule,
    ThemeRuleField,
    ThemeRuleMatch,
)
from ledger.services.loading import LoadResult, upsert
from totalplace.permissions import require_perm

FIELD_ORDER = ("expense_code", "service_label", "expense_area", "expense_type", "description")


class ThemeMatcher:
    """Compiled rules for one organisation; ``theme_for`` is called once per distinct line key."""

    def __init__(self, rules, unallocated_id: int):
        self.unallocated_id = unallocated_id
        own = [r for r in rules if r.organisation_id is not None]
        shared = [r for r in rules if r.organisation_id is None]
        self.layers = [self._compile(own), self._compile(shared)]
        self.uses_description = any(r.field == ThemeRuleField.DESCRIPTION for r in rules)

    @staticmethod
    def _compile(rules):
        exact = {name: {} for name in FIELD_ORDER}
        contains = {name: [] for name in FIELD_ORDER}
        for rule in rules:
            pattern = normalise(rule.pattern)
            if not pattern:
                continue
            if rule.match == ThemeRuleMatch.EXACT:
                exact[rule.field].setdefault(pattern, rule.theme_id)
            else:
                contains[rule.field].append((f" {pattern} ", rule.theme_id))
        for name in FIELD_ORDER:
            contains[name].sort(key=lambda item: -len(item[0]))
        return exact, contains

    def theme_for(
        self,
        service_label: str = "",
        expense_area: str = "",
        expense_code: str = "",
        expense_type: str = "",
        description: str = "",
    ) -> int:
        values = {
            "expense_code": normalise(expense_code),
            "service_label": normalise(service_label),
            "expense_area": normalise(expense_area),
            "expense_type": normalise(expense_type),
            "description": normalise(description),
        }
        for exact, contains in self.layers:
            for name in FIELD_ORDER:
                value = values[name]
                if not value:
                    continue
                if value in exact[name]:
                    return exact[name][value]
                padded = f" {value} "
                for pattern, theme_id in contains[name]:
                    if pattern in padded:
                        return theme_id
        return self.unallocated_id


def theme_matcher_for(*, organisation: Organisation) -> ThemeMatcher:
    """The rules that apply to ``organisation``: its own and everyone's."""
    rules = ThemeRule.objects.filter(organisation__in=[organisation.pk]) | ThemeRule.objects.filter(
        organisation__isnull=True
    )
    unallocated = ServiceTheme.objects.get(code=ServiceTheme.UNALLOCATED_CODE)
    return ThemeMatcher(list(rules), unallocated.pk)


@transaction.atomic
def theme_rules_load(*, path: Path) -> LoadResult:
    """Everyone's rules from a CSV (field, match, pattern, theme, note); idempotent.

    Shared rules no longer in the file are removed: the file is the truth for them.
    Organisations' own rules are never touched.
    """
    result = LoadResult()
    keep = set()
    themes = {t.code: t for t in ServiceTheme.objects.all()}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            rule, created, changed = upsert(
                ThemeRule,
                {
                    "organisation": None,
                    "field": ThemeRuleField(row["field"]),
                    "match": ThemeRuleMatch(row["match"]),
                    "pattern": row["pattern"],
                },
                {"theme": themes[row["theme"]], "note": row.get("note", "")},
            )
            keep.add(rule.pk)
            result.count(created, changed)
    ThemeRule.objects.filter(organisation__isnull=True).exclude(pk__in=keep).delete()
    return result


def _require_officer(actor: AbstractBaseUser, organisation: Organisation) -> None:
    require_perm(
        actor,
        "ledger.manage_theme_rules",
        organisation,
        message=f"Only {organisation}'s finance officers can change its rules.",
    )


@transaction.atomic
def theme_rule_create(
    *,
    organisation: Organisation,
    field: str,
    match: str,
    pattern: str,
    theme: ServiceTheme,
    actor: AbstractBaseUser,
    note: str = "",
) -> ThemeRule:
    """A rule of the organisation's own; it applies to its next imports."""
    _require_officer(actor, organisation)
    pattern = " ".join(pattern.split())
    if not normalise(pattern):
        raise ValidationError({"pattern": "Give the words or code to match."})
    if ThemeRule.objects.filter(
        organisation=organisation, field=field, match=match, pattern__iexact=pattern
    ).exists():
        raise ValidationError({"pattern": "There is already a rule for that."})
    return ThemeRule.objects.create(
        organisation=organisation,
        field=ThemeRuleField(field),
        match=ThemeRuleMatch(match),
        pattern=pattern,
        theme=theme,
        note=note,
        created_by=actor,
    )


@transaction.atomic
def theme_rule_delete(*, rule: ThemeRule, actor: AbstractBaseUser) -> None:
    if rule.organisation is None:
        raise PermissionDenied("Shared rules come from the reference data and cannot be deleted.")
    _require_officer(actor, rule.organisation)
    rule.delete()
