"""Which project modules three user-facing behaviours run, and how control hops between them.

Issue 16 asked that a newcomer find each behaviour in fewer places. This measures it the same
way at any commit (the file imports nothing of the project at the top and looks its names up at
run time, so it can be copied into an older checkout and run there):

* ``import``: a finance officer uploads a three-line CSV to a draft return through the page,
  opens the preview and confirms it (Celery eager: the preview and the confirm run inline);
* ``approval``: an approver approves a submitted return through its page; the commit refreshes
  the rollups, which refresh the baseline of the initiative whose footprint the lines fall in;
* ``savings``: anyone opens an initiative's page, whose "where savings land" section shows the
  matrix of who pays and who saves (and ``savings-csv``, the same matrix as CSV);
* ``savings-claimed``: the pilot's lead opens the page of an initiative with a claimed saving,
  whose row shows the ledger check (the receiver's spend in the footprint) and the steps the
  lead may take (marking it not realised: the pilot's edit right).

Each behaviour runs in-process under ``sys.setprofile`` with real commits (so ``on_commit``
hooks fire where they do in production). A *module* counts when a function defined in it runs
(``ledger``, ``pilots``, ``savings``, ``audit``, ``explorer``, ``totalplace``; never tests or
migrations; code run while a module is being imported does not count). An *edge* is a call
from a function of one project module to a function of another (library frames in between
skipped: a signal's receiver is called by the module that sent it; a task by the module that
queued it, listed as *queued*). A *re-entry* is a call stack that leaves an app (or a layer:
services, tasks, selectors...) and comes back to it, as ``ledger.services → ledger.importers →
ledger.services``. A task run inline starts a stack of its own, as on a worker: queueing a task
that calls a service is not a re-entry.

    DATABASE_URL=postgres://... python bench/traces.py            # a throwaway test database
    DATABASE_URL=postgres://... python bench/traces.py --json out.json --modules

``tests/test_traces.py`` runs the same behaviours and fails if any trace grows.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("ledger", "pilots", "savings", "audit", "explorer", "totalplace")
DOMAIN_APPS = ("ledger", "pilots", "savings", "explorer")
TASK_MODULES = ("tasks", "import_tasks", "dataset_tasks")


def _module_name(filename: str) -> str | None:
    """The dotted project module ``filename`` defines, or None outside the project's apps."""
    try:
        parts = Path(filename).resolve().relative_to(ROOT).with_suffix("").parts
    except ValueError:
        return None
    if not parts or parts[0] not in APPS or "migrations" in parts or not filename.endswith(".py"):
        return None
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def layer(module: str) -> str:
    """The app and the kind of module: ``ledger.services``, ``ledger.tasks``, ``pilots.pages``.

    Task modules (``tasks``, ``import_tasks``, ``dataset_tasks``) are one layer, ``tasks``."""
    parts = module.split(".")
    if len(parts) == 1:
        return module
    kind = "tasks" if parts[1] in TASK_MODULES else parts[1]
    return f"{parts[0]}.{kind}"


def _is_eager_task_run(code) -> bool:
    """Celery's ``Task.apply``: where an eager task's run begins (a worker's, in production)."""
    return code.co_name == "apply" and code.co_filename.endswith(
        os.path.join("celery", "app", "task.py")
    )


def _collapse(items: list[str]) -> list[str]:
    return [item for i, item in enumerate(items) if i == 0 or items[i - 1] != item]


def _reentries(chain: list[str]) -> list[tuple[str, ...]]:
    """Each ``A → ... → A`` in a collapsed chain, shortest first at each return."""
    found = []
    for end, item in enumerate(chain):
        for start in range(end - 1, -1, -1):
            if chain[start] == item:
                found.append(tuple(chain[start : end + 1]))
                break
    return found


@dataclass
class Trace:
    """What ran while the profiler was on (see the module's docstring for the terms)."""

    modules: dict[str, int] = field(default_factory=dict)  # module -> calls, in first-run order
    edges: dict[tuple[str, str], int] = field(default_factory=dict)
    # Each return to an app (or a layer) by the first module chain that made it.
    app_reentries: dict[tuple[str, ...], str] = field(default_factory=dict)
    layer_reentries: dict[tuple[str, ...], str] = field(default_factory=dict)
    depth: int = 0  # the most domain modules on one call stack (consecutive ones merged)
    deepest: tuple[str, ...] = ()
    queued: set[tuple[str, str]] = field(default_factory=set)  # edges that queue a task
    _names: dict = field(default_factory=dict, repr=False)
    _base: object = field(default=None, repr=False)

    def _name(self, code) -> str | None:
        try:
            return self._names[code.co_filename]
        except KeyError:
            name = self._names[code.co_filename] = _module_name(code.co_filename)
            return name

    def _profile(self, frame, event, arg):
        if event != "call":
            return
        module = self._name(frame.f_code)
        if module is None or frame.f_code.co_name == "<module>":
            return
        stack, queued_at = [module], 0
        f = frame.f_back
        while f is not None and f is not self._base:
            if f.f_code.co_name == "<module>":
                return  # run while some module is imported: not the behaviour's own code
            name = self._name(f.f_code)
            if name is not None:
                stack.append(name)
            elif not queued_at and _is_eager_task_run(f.f_code):
                queued_at = len(stack)
            f = f.f_back
        self.modules[module] = self.modules.get(module, 0) + 1
        if len(stack) > 1 and stack[1] != module:
            edge = (stack[1], module)
            self.edges[edge] = self.edges.get(edge, 0) + 1
            if queued_at == 1:
                self.queued.add(edge)
            # A new edge can make a longer chain or a new return; repeated ones cannot. A task
            # run inline (eager) starts a chain of its own: a worker runs it on its own stack.
            if self.edges[edge] == 1:
                self._chain(stack[:queued_at] if queued_at else stack)

    def _chain(self, stack: list[str]) -> None:
        # The shared kernel (totalplace: middleware, permissions, money; audit: the trail)
        # wraps or serves every request; chains follow the domain apps only.
        chain = _collapse([m for m in stack[::-1] if m.split(".")[0] in DOMAIN_APPS])
        if len(chain) > self.depth:
            self.depth, self.deepest = len(chain), tuple(chain)
        apps = _collapse([m.split(".")[0] for m in chain])
        for found in _reentries(apps)[-1:]:
            self.app_reentries.setdefault(found, " → ".join(chain))
        layers = _collapse([layer(m) for m in chain])
        for found in _reentries(layers)[-1:]:
            self.layer_reentries.setdefault(found, " → ".join(chain))

    def __enter__(self):
        self._base = sys._getframe(1)
        sys.setprofile(self._profile)
        return self

    def __exit__(self, *exc):
        sys.setprofile(None)
        return False

    def summary(self, page: Trace | None = None) -> dict:
        """The figures; with ``page`` (the request machinery every page runs), also the modules
        the behaviour runs beyond it."""
        own = [m for m in self.modules if page is None or m not in page.modules]
        crossings = {(a.split(".")[0], b.split(".")[0]) for a, b in self.edges}
        return {
            "modules": len(self.modules),
            "own": len(own),
            "edges": len(self.edges),
            "depth": self.depth,
            "app_edges": sorted(f"{a}→{b}" for a, b in crossings if a != b),
            "app_reentries": {" → ".join(r): c for r, c in sorted(self.app_reentries.items())},
            "layer_reentries": {" → ".join(r): c for r, c in sorted(self.layer_reentries.items())},
            "deepest": " → ".join(self.deepest),
            "module_list": list(self.modules),
            "own_list": own,
            "edge_list": [f"{a} → {b}" for a, b in self.edges],
            "queued": sorted(f"{a} ⇢ {b}" for a, b in self.queued),
        }


# --- The worlds and the behaviours ---------------------------------------------------------
# Names are looked up at run time: the same file runs at commits where a module was renamed.


def _first(*dotted: str):
    """The first of ``module:attr`` names that imports (for names moved between commits)."""
    import importlib

    for name in dotted:
        module, attr = name.split(":")
        try:
            return getattr(importlib.import_module(module), attr)
        except (ImportError, AttributeError):
            continue
    raise ImportError(f"none of {dotted}")


def _reverse(names: tuple[str, ...], *args) -> str:
    from django.urls import NoReverseMatch, reverse

    for name in names:
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            continue
    raise NoReverseMatch(f"none of {names}")


@dataclass
class World:
    year: object
    place: object
    council: object
    nhs: object
    police: object
    theme: object
    officer: object
    approver: object
    lead: object
    initiative: object


def world_build() -> World:
    """A council, two bodies its initiative saves money for, a pilot in the council's place and
    an initiative there (a cost and two benefits), a finance officer and an approver."""
    from ledger.models import Role, Sector, ThemeRule, ThemeRuleField, ThemeRuleMatch
    from ledger.services.access import membership_grant
    from pilots.models import InitiativeStatus
    from pilots.services.access import pilot_lead_grant
    from pilots.services.initiatives import initiative_create
    from savings.services.inputs import benefit_flow_create, cost_line_create
    from tests.factories import (
        FinancialYearFactory,
        OrganisationFactory,
        PlaceFactory,
        ServiceThemeFactory,
        UserFactory,
    )
    from tests.pilots.factories import PilotFactory, ProgrammeFactory

    tag = uuid.uuid4().hex[:6]
    year = FinancialYearFactory(code="2010-11")
    ServiceThemeFactory(code="unallocated", name="Unallocated")  # what the import falls back to
    place = PlaceFactory(name=f"Traceton {tag}", slug=f"traceton-{tag}")
    council = OrganisationFactory(code=f"C{tag}", name="Traceton Council", home_place=place)
    nhs = OrganisationFactory(code=f"NHS{tag}", name="Traceton PCT", sector=Sector.NHS)
    police = OrganisationFactory(code=f"POL{tag}", name="Traceton Police", sector=Sector.POLICE)
    theme = ServiceThemeFactory(code=f"family-{tag}", name="Family support")
    # Shared theme rules are reference data every install has: with none at all, the import
    # would skip compiling them and the trace would depend on what ran before it.
    ThemeRule.objects.create(
        organisation=None,
        field=ThemeRuleField.EXPENSE_AREA,
        match=ThemeRuleMatch.EXACT,
        pattern=f"Family support {tag}",
        theme=theme,
    )
    officer, approver = UserFactory(username=f"o-{tag}"), UserFactory(username=f"a-{tag}")
    membership_grant(user=officer, organisation=council, role=Role.FINANCE_OFFICER)
    membership_grant(user=approver, organisation=council, role=Role.APPROVER)
    pilot = PilotFactory(
        slug=f"pilot-{tag}",
        programme=ProgrammeFactory(slug=f"programme-{tag}"),
        lead_organisation=council,
        places=[place],
    )
    lead = UserFactory(username=f"l-{tag}")
    pilot_lead_grant(pilot=pilot, user=lead)
    initiative = initiative_create(
        pilot=pilot,
        actor=lead,
        title="Family key workers",
        summary="Key workers for families.",
        service_theme=theme,
        status=InitiativeStatus.PUBLISHED,
        baseline_year=year,
        baseline_entered_amount=Decimal("1000000.00"),
        baseline_entered_source="Council budget book 2010-11",
    )
    cost_line_create(
        initiative=initiative, actor=lead, payer=council, year=0, amount=Decimal("100.00")
    )
    for body, cashable in ((nhs, Decimal("100")), (police, Decimal("50"))):
        benefit_flow_create(
            initiative=initiative,
            actor=lead,
            beneficiary=body,
            amount_per_year=Decimal("20.00"),
            lag=1,
            duration=5,
            cashable_percent=cashable,
        )
    return World(year, place, council, nhs, police, theme, officer, approver, lead, initiative)


DCLG_HEADER = (
    "Body,Body Name,Date,Transaction Number,Invoice Number,Amount,Supplier Name,Supplier ID,"
    "VAT Registration Number,Expense Area,Expense Type,Expense Code"
)


def _csv(body: str, tag: str) -> bytes:
    rows = [
        f"{body},Traceton Council,14/01/2011,{tag}-{n},INV{n},{amount},A Supplier Ltd,S1,GB1,"
        "Libraries,Supplies and Services,205"
        for n, amount in enumerate(("10.00", "-2.50", '"1,000.00"'), start=1)
    ]
    return "\r\n".join([DCLG_HEADER, *rows, ""]).encode()


def _client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def import_prepare(world: World):
    """A draft return of the council's and the officer's client."""
    from ledger.services.returns import spend_return_create

    draft = spend_return_create(
        organisation=world.council, financial_year=world.year, actor=world.officer
    )
    return draft, _client(world.officer)


def import_run(draft, client) -> None:
    """Upload, preview (the page the upload redirects to), confirm."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from ledger.models import ImportJob, ImportJobStatus

    url = _reverse(("spend-return-import", "spend-return-upload"), draft.pk)
    upload = SimpleUploadedFile(
        "spend.csv", _csv(draft.organisation.code, uuid.uuid4().hex[:8]), "text/csv"
    )
    data = {"file": upload, "mode": "add", "where": "home", "driver": "population"}
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get(response.url)
    assert page.status_code == 200
    job = ImportJob.objects.filter(spend_return=draft).latest("pk")
    assert job.status == ImportJobStatus.READY, (job.status, job.message, job.errors[:3])
    response = client.post(_reverse(("import-job-confirm",), job.pk))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJobStatus.CONFIRMED, job.status


def approval_prepare(world: World):
    """A submitted return whose lines fall in the initiative's footprint, theme and year."""
    from ledger.models import SpendLine
    from ledger.services.lines import spend_lines_add
    from ledger.services.returns import spend_return_create

    submit = _first(
        "ledger.services.approval:spend_return_submit",
        "ledger.services.sign_off:spend_return_submit",
    )
    spend_return = spend_return_create(
        organisation=world.council, financial_year=world.year, actor=world.officer
    )
    spend_lines_add(
        spend_return=spend_return,
        lines=[
            SpendLine(place=world.place, theme=world.theme, amount=Decimal(a), source_row=n)
            for n, a in enumerate(("120.50", "-0.25"), start=2)
        ],
    )
    submit(spend_return=spend_return, actor=world.officer)
    return spend_return, _client(world.approver)


def approval_run(spend_return, client, initiative) -> None:
    from ledger.models import SpendReturnStatus

    response = client.post(_reverse(("spend-return-approve",), spend_return.pk))
    assert response.status_code == 302
    spend_return.refresh_from_db()
    assert spend_return.status == SpendReturnStatus.APPROVED
    initiative.refresh_from_db()
    assert initiative.baseline_ledger_amount == Decimal("120.25"), "baseline not refreshed"


def savings_run(world: World, client, csv: bool = False) -> None:
    initiative = world.initiative
    if csv:
        url = f"/initiatives/{initiative.public_id}/where-savings-land.csv"
        response = client.get(url)
        assert response.status_code == 200
        # Read in full (a streamed CSV is written as it is read).
        body = b"".join(response) if response.streaming else response.content
        assert "Traceton PCT" in body.decode()
        return
    response = client.get(initiative.get_absolute_url())
    assert response.status_code == 200
    assert "Traceton PCT" in response.content.decode()  # a beneficiary in the matrix


def claimed_prepare(world: World):
    """A second initiative in the pilot with a saving claimed for the NHS body (proposed, so
    the lead, a member of neither side, may mark it not realised by the pilot's edit right),
    and the lead's client."""
    from pilots.models import InitiativeStatus
    from pilots.services.initiatives import initiative_create
    from savings.services.realisation import saving_propose

    initiative = initiative_create(
        pilot=world.initiative.pilot,
        actor=world.lead,
        title="Family key workers, claimed",
        summary="Key workers for families, with a saving claimed.",
        service_theme=world.theme,
        status=InitiativeStatus.PUBLISHED,
        baseline_year=world.year,
    )
    saving_propose(
        initiative=initiative,
        actor=world.lead,
        payer=world.council,
        receiver=world.nhs,
        financial_year=world.year,
        forecast=Decimal("10.00"),
    )
    return initiative, _client(world.lead)


def claimed_run(initiative, client) -> None:
    response = client.get(initiative.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert "Traceton PCT" in page and "in 2010-11" in page  # the saving and its ledger check
    assert "Not realised<" in page  # the step the lead's edit right allows


def page_run(world: World) -> None:
    """Any page's share: a missing page asked for (GET and POST) signed in, and GET signed out."""
    from django.test import Client

    for client in (_client(world.officer), Client()):
        assert client.get("/traces/no-such-page/").status_code == 404
    assert _client(world.officer).post("/traces/no-such-page/", {"a": "1"}).status_code == 404


TRACES = ("import", "approval", "savings", "savings-csv", "savings-claimed")


def trace_all(names=TRACES) -> dict[str, Trace]:
    """Each behaviour run once untraced (to import lazily imported modules and warm caches as a
    running server has them), then traced on fresh records."""
    from django.test import Client

    world = world_build()
    page_run(world)
    with Trace() as page:
        page_run(world)
    traces = {"page": page}
    for name in names:
        if name == "import":
            import_run(*import_prepare(world))
            draft, client = import_prepare(world)
            with Trace() as trace:
                import_run(draft, client)
        elif name == "approval":
            approval_run(*approval_prepare(world), world.initiative)
            spend_return, client = approval_prepare(world)
            with Trace() as trace:
                approval_run(spend_return, client, world.initiative)
        elif name == "savings-claimed":
            initiative, client = claimed_prepare(world)
            claimed_run(initiative, client)
            with Trace() as trace:
                claimed_run(initiative, client)
        else:
            csv = name == "savings-csv"
            savings_run(world, Client(), csv)
            client = Client()
            with Trace() as trace:
                savings_run(world, client, csv)
        traces[name] = trace
    return traces


def summarise(traces: dict[str, Trace]) -> dict[str, dict]:
    page = traces["page"]
    return {name: t.summary(None if name == "page" else page) for name, t in traces.items()}


def report(summaries: dict[str, dict], modules: bool = False) -> str:
    lines = []
    for name, s in summaries.items():
        lines.append(
            f"{name}: {s['modules']} modules ({s['own']} beyond any page's), "
            f"{s['edges']} edges, depth {s['depth']}"
        )
        lines.append(f"  app edges: {', '.join(s['app_edges']) or '-'}")
        lines.append(f"  tasks queued: {', '.join(s.get('queued', [])) or '-'}")
        for key, label in (("app_reentries", "app"), ("layer_reentries", "layer")):
            for found, chain in s[key].items():
                lines.append(f"  {label} re-entered: {found}  ({chain})")
        lines.append(f"  deepest: {s['deepest']}")
        if modules:
            lines.extend(f"    {m}" for m in sorted(s["module_list"]))
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", help="write the summaries to this file")
    parser.add_argument("--modules", action="store_true", help="list each trace's modules")
    parser.add_argument("traces", nargs="*", help=f"some of {', '.join(TRACES)} (default: all)")
    args = parser.parse_args(argv)
    if unknown := set(args.traces) - set(TRACES):
        parser.error(f"no trace {', '.join(sorted(unknown))}")
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "totalplace.settings.test")
    import logging

    import django

    django.setup()
    logging.disable(logging.WARNING)
    from django.test.utils import setup_databases, teardown_databases

    config = setup_databases(verbosity=0, interactive=False)
    try:
        summaries = summarise(trace_all(args.traces or TRACES))
    finally:
        teardown_databases(config, verbosity=0)
    print(report(summaries, modules=args.modules))
    if args.json:
        Path(args.json).write_text(json.dumps(summaries, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
