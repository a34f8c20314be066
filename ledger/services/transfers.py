"""Matching the suppliers a body pays to public bodies, and deciding about the matches.

A supplier name is compared, normalised (upper case, "&" as "and", punctuation and "Ltd" gone),
with every body's name and aliases (the CRA's department names, "HMRC", the aliases held as
data in ``fixtures/reference/organisation_aliases.csv``); a name that carries a body's code
("LEEDS PCT (5N1)", "E08000035") is matched by the code; a council is also found by its area's
name ("KIRKLEES METROPOLITAN COUNCIL", "City of York Council"), a police or fire body by its
area ("WEST YORKSHIRE POLICE AUTHORITY"). A name that could be two bodies is not matched. A match
is a suggestion until an officer of the paying body confirms or rejects it; either way the
rollups of the returns it touches are refreshed, so net totals follow at once.
"""

import re
from collections import defaultdict
from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ledger.models import (
    Organisation,
    OrganisationAlias,
    Sector,
    SpendReturn,
    SupplierMatch,
    SupplierMatchMethod,
    SupplierMatchStatus,
)
from ledger.services.line_receivers import line_receivers_set
from totalplace.permissions import require_perm

_WORDS = re.compile(r"[^0-9A-Z]+")
_TRAILING = ("LTD", "LIMITED", "PLC")
# Words that say what kind of body a name is, not which: "Kirklees Metropolitan Council".
# fmt: off
COUNCIL_WORDS = frozenset((
    "COUNCIL", "CITY", "BOROUGH", "DISTRICT", "COUNTY", "METROPOLITAN", "MBC", "MDC", "DC", "BC",
    "CC", "ROYAL", "OF", "THE", "AND", "UNITARY", "LONDON",
))
POLICE_WORDS = frozenset((
    "POLICE", "CONSTABULARY", "AUTHORITY", "CRIME", "COMMISSIONER", "CHIEF", "CONSTABLE", "AND",
    "FOR", "OF", "THE", "OFFICE", "PCC", "FORCE",
))
FIRE_WORDS = frozenset((
    "FIRE", "RESCUE", "SERVICE", "SERVICES", "AUTHORITY", "COMBINED", "AND", "THE", "OF", "CIVIL",
    "DEFENCE", "CD", "PCC", "FRA", "COMMISSIONER",
))
# fmt: on


def supplier_key(name: str) -> str:
    """ "Leeds Teaching Hospitals NHS Trust Ltd." → "LEEDS TEACHING HOSPITALS NHS TRUST"."""
    words = _WORDS.sub(" ", name.upper().replace("&", " AND ")).split()
    while words and words[-1] in _TRAILING:
        words.pop()
    return " ".join(words)


def _core(key: str, kind_words: frozenset[str]) -> str:
    return " ".join(w for w in key.split() if w not in kind_words)


class SupplierIndex:
    """Every body by its names, its aliases, and (councils, police, fire) by its area."""

    def __init__(self):
        self.exact: dict[str, set[int]] = defaultdict(set)
        self.by_area: dict[tuple[str, str], set[int]] = defaultdict(set)
        self.methods: dict[str, str] = {}
        self.codes: dict[str, set[int]] = defaultdict(set)
        bodies = Organisation.objects.filter(aggregate_of=[]).select_related("home_place")
        for body in bodies:
            self._add(supplier_key(body.name), body.pk, SupplierMatchMethod.NAME)
            self._code(body.code, body.pk)
            if body.home_place_id:
                self._code(body.home_place.gss_code, body.pk)
                self._code(body.home_place.snac_code, body.pk)
            if body.home_place_id:  # a council: by its area's names too
                for name in (body.home_place.name, body.home_place.official_name):
                    self._area("council", name, COUNCIL_WORDS, body.pk)
            if body.sector == Sector.POLICE:
                self._area("police", body.name, POLICE_WORDS, body.pk)
            if body.sector == Sector.FIRE:
                self._area("fire", body.name, FIRE_WORDS, body.pk)
        for organisation_id, alias in OrganisationAlias.objects.values_list(
            "organisation_id", "alias"
        ):
            self._add(supplier_key(alias), organisation_id, SupplierMatchMethod.ALIAS)
            self._code(alias, organisation_id)

    def _code(self, code: str | None, pk: int) -> None:
        # Only codes with a digit: a bare word ("DWP", "HMRC") is a name, matched as one.
        code = (code or "").strip().upper()
        if len(code) >= 3 and " " not in code and any(c.isdigit() for c in code):
            self.codes[code].add(pk)

    def _add(self, key: str, pk: int, method: str) -> None:
        if key:
            self.exact[key].add(pk)
            self.methods.setdefault(key, method)

    def _area(self, kind: str, name: str, words: frozenset[str], pk: int) -> None:
        core = _core(supplier_key(name), words)
        if core:
            self.by_area[(kind, core)].add(pk)

    def match(self, name: str) -> tuple[int, str] | None:
        """The one body ``name`` names, and how it was found; None if none or several."""
        key = supplier_key(name)
        found = self.exact.get(key, set())
        if len(found) == 1:
            return next(iter(found)), self.methods[key]
        if found:
            return None  # ambiguous: two bodies of that name
        words = set(key.split())
        coded = set().union(*(self.codes.get(w, set()) for w in words))
        if len(coded) == 1:
            return next(iter(coded)), SupplierMatchMethod.CODE
        if coded:
            return None
        for kind, kind_words, markers in (
            ("council", COUNCIL_WORDS, {"COUNCIL"}),
            ("police", POLICE_WORDS, {"POLICE", "CONSTABULARY"}),
            ("fire", FIRE_WORDS, {"FIRE"}),
        ):
            if words & markers:
                found = self.by_area.get((kind, _core(key, kind_words)), set())
                if len(found) == 1:
                    return next(iter(found)), SupplierMatchMethod.NAME
                return None
        return None


def supplier_matches_find(
    *, payer: Organisation, names: Iterable[str], index: SupplierIndex | None = None
) -> list[SupplierMatch]:
    """Match the supplier names a body's lines give, keeping the matches already decided;
    returns the new ones (suggestions)."""
    names = {n for n in names if n and n.strip()}
    known = set(
        SupplierMatch.objects.filter(payer=payer, supplier_name__in=names).values_list(
            "supplier_name", flat=True
        )
    )
    unknown = sorted(names - known)
    if not unknown:
        return []  # every name decided already: no index to build (about 60 ms of every body)
    index = index or SupplierIndex()
    new = []
    for name in unknown:
        found = index.match(name)
        if found and found[0] != payer.pk:
            new.append(
                SupplierMatch(
                    payer=payer, supplier_name=name[:255], receiver_id=found[0], method=found[1]
                )
            )
    SupplierMatch.objects.bulk_create(new, ignore_conflicts=True)
    return new


def supplier_matches_for_return(*, spend_return: SpendReturn) -> list[SupplierMatch]:
    """Match the suppliers of a return's lines (after an import, and when it is submitted), and
    set the receiver of its lines and of the payer's other lines that pay a newly matched
    supplier (``line_receivers``); the totals of approved returns among those are refreshed
    after commit."""
    names = (
        spend_return.lines.filter(supplier_redacted=False)
        .exclude(supplier_name="")
        # No ordering: the model's would make DISTINCT run over (name, return, row, id), a row
        # per line (a million-line return: 10 s and 200 MB, for a few thousand names).
        .order_by()
        .values_list("supplier_name", flat=True)
        .distinct()
    )
    return supplier_matches_for_lines(spend_return=spend_return, names=names)


def supplier_matches_for_lines(
    *, spend_return: SpendReturn, names: Iterable[str]
) -> list[SupplierMatch]:
    """Match ``names`` (the suppliers of a return's lines, or of the lines an import is about
    to add), and set the receiver of the return's lines and of the payer's other lines that pay
    a newly matched supplier; returns the new matches. An import calls this before its lines go
    in, and they take their receivers from the matches as they are written
    (``line_receivers_of``)."""
    new = supplier_matches_find(payer=spend_return.organisation, names=names)
    changed = line_receivers_set(
        payer_id=spend_return.organisation_id,
        supplier_names=[m.supplier_name for m in new],
        spend_return_ids=[spend_return.pk],
    )
    _refresh_after_commit(changed)
    return new


def _refresh_after_commit(spend_return_ids: list[int]) -> None:
    if spend_return_ids:
        from ledger.tasks import rollups_refresh
        from totalplace.celery import send_or_log

        transaction.on_commit(lambda: send_or_log(rollups_refresh, spend_return_ids))


@transaction.atomic
def supplier_match_decide(
    *,
    match: SupplierMatch,
    status: str,
    actor: AbstractBaseUser | None,
    receiver: Organisation | None = None,
) -> SupplierMatch:
    """An officer of the paying body confirms a match, rejects it, or names the right body;
    the payer's lines that pay that supplier follow it, and the totals of the approved returns
    among them whose receiver changed are refreshed after commit."""
    match = SupplierMatch.objects.select_for_update().select_related("payer").get(pk=match.pk)
    require_perm(
        actor,
        "ledger.prepare_returns",
        match.payer,
        message=f"Only finance officers of {match.payer} can decide about its suppliers.",
    )
    status = SupplierMatchStatus(status)
    if receiver is not None:
        if receiver.pk == match.payer_id:
            raise ValidationError("A body does not pay itself: choose another body.")
        match.receiver, match.method = receiver, SupplierMatchMethod.PERSON
    match.status, match.decided_at, match.decided_by = status, timezone.now(), actor
    match.save()
    # The lines paying that supplier follow the decision: one UPDATE, no history per line.
    changed = line_receivers_set(payer_id=match.payer_id, supplier_names=[match.supplier_name])
    _refresh_after_commit(changed)
    return match
