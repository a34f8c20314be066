"""Every kind of page passes axe-core's WCAG checks in headless Chromium, signed out and in.

axe-core comes from npm (a dev dependency, ``node_modules/axe-core``); the test injects it into
each page after it has loaded (charts drawn) and fails with axe's own account of each problem:
rule, impact, element.
"""

import pytest
from django.conf import settings

from tests.ledger.import_helpers import LEEDS_FILE
from tests.services import ROOT, missing

pytestmark = [pytest.mark.browser, pytest.mark.slow]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
                                                   "best-practice"]}})
   .then(result => done(result.violations.map(v => ({
       rule: v.id, impact: v.impact, help: v.help,
       nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}))))
   .catch(error => done([{rule: "axe-error", impact: "critical", help: String(error), nodes: []}]));
"""


@pytest.fixture
def site(live_server, reference_data_tx):
    """The demo as ``make run`` serves it, plus a previewed import waiting on its page."""
    from django.core.files import File

    from ledger.models import FinancialYear, Organisation
    from ledger.services.demo import demo_load_cumbria
    from ledger.services.imports.jobs import import_job_create
    from ledger.services.imports.preview import import_job_run
    from ledger.services.returns import spend_return_create
    from ledger.services.rollups import rollup_rebuild
    from savings.services.demo import demo_load_pilots

    demo_load_cumbria()
    demo_load_pilots()
    rollup_rebuild()
    leeds = spend_return_create(
        organisation=Organisation.objects.by_code("00DA").get(),
        financial_year=FinancialYear.objects.get(code="2010-11"),
        title="Leeds January 2011",
        actor=None,
    )
    with LEEDS_FILE.open("rb") as handle:
        job = import_job_create(
            spend_return=leeds, file=File(handle, name=LEEDS_FILE.name), actor=None, start=False
        )
    import_job_run(job_id=job.pk)
    _job_with_problems(leeds)
    _datasets()
    return live_server, leeds, job


def _datasets() -> None:
    """National datasets: the small wide table and regional workbook loaded and approved (Adur
    counted from both), an edition waiting for choices about two bodies it does not know, and
    one with errors and a department it does not know."""
    from tests.ledger.dataset_helpers import csv_bytes, editor, new_edition, preview
    from tests.ledger.dataset_world import PARK, WASTE, approved_datasets, wide_rows
    from tests.ledger.test_dataset_regional import CRA

    uploader = editor("a11y-uploader")
    editions = approved_datasets(uploader, editor("a11y-approver"))
    unknown = [(WASTE, (0, 0, 8, 0)), (PARK, (0, 0, 4, 0))]  # not the approved file's bytes
    for content, filename, dataset in (
        (csv_bytes(wide_rows(unknown)), "ra_2023-24_revised.csv", editions["wide"].dataset),
        (CRA, "cra_2018.xlsx", editions["cra"].dataset),
    ):
        preview(
            new_edition(
                content=content,
                filename=filename,
                actor=uploader,
                fmt=dataset.format,
                edition=f"{filename} edition",
                dataset=dataset,
            )
        )


def _job_with_problems(spend_return) -> None:
    """A preview with row errors (each with its input) and a correction made here."""
    from django.core.files.base import ContentFile

    from ledger.services.imports.corrections import import_job_correct
    from ledger.services.imports.jobs import import_job_create
    from ledger.services.imports.preview import import_job_run
    from tests.ledger.import_helpers import DCLG_HEADER, csv_bytes, dclg_row

    rows = [dclg_row(amount="1,2x4.00"), dclg_row(date="31/02/2011"), dclg_row(amount="x")]
    file = ContentFile(csv_bytes([DCLG_HEADER, *rows]), name="problems.csv")
    job = import_job_create(spend_return=spend_return, file=file, actor=None, start=False)
    job = import_job_run(job_id=job.pk)
    fix = [{"row": 4, "column": "Amount", "value": "3.00"}]
    import_job_run(job_id=import_job_correct(job=job, corrections=fix, actor=None).pk)


# What pokes out of the page sideways, for the failure message: outside any box that scrolls,
# or positioned absolutely (which a box that is not itself positioned does not contain).
WIDE_ELEMENTS = """
const view = document.documentElement.clientWidth, wide = [];
for (const el of document.querySelectorAll("body *")) {
  const box = el.getBoundingClientRect();
  let scrolls = false;
  for (let p = el.parentElement; p && !scrolls; p = p.parentElement) {
    scrolls = ["auto", "scroll", "hidden"].includes(getComputedStyle(p).overflowX);
  }
  const loose = getComputedStyle(el).position === "absolute";
  if (box.right > view + 1 && (!scrolls || loose)) {
    wide.push(`${el.tagName}.${el.className} ${box.width}px`);
  }
}
return wide.slice(0, 5);
"""
# Pages with the widest tables, checked again at a phone's width ({line}, {initiative}: paths).
NARROW = [
    "/",
    "/places/cumbria/lines/?year=2006-07",
    "/pilots/",
    "{initiative}",
    "{line}",
    "/places/adur/lines/?year=2023-24",
]


def _paths(leeds, job) -> tuple[list[str], list[str]]:
    from ledger.models import DatasetEdition, DatasetFigure, ImportJob, SpendLine
    from pilots.models import EvidenceItem, Initiative, PlaceBudgetSubmission, Programme

    initiative = Initiative.objects.select_related("pilot").first()  # the worked example
    cra = DatasetEdition.objects.get(status="approved", dataset__format="regional")
    pilot = initiative.pilot
    public = [
        "/",
        "/places/cumbria/",
        "/places/cumbria/lines/?year=2006-07",
        f"/lines/{SpendLine.objects.order_by('pk').first().pk}/",
        "/compare/",
        "/compare/?places=eden&places=carlisle",
        "/pilots/",
        f"/pilots/programmes/{Programme.objects.first().slug}/",
        f"/pilots/{pilot.slug}/",
        "/pilots/places/cumbria/",
        f"/initiatives/{initiative.public_id}/",
        f"/evidence/{EvidenceItem.objects.first().public_id}/",
        f"/submissions/{PlaceBudgetSubmission.objects.first().public_id}/august-2010/",
        "/accounts/login/",
        "/datasets/",
        f"/datasets/editions/{cra.pk}/",
        f"/datasets/editions/{cra.pk}/lines/?year=2023-24",
        f"/datasets/figures/{DatasetFigure.objects.filter(edition=cra).first().pk}/",
        "/places/adur/lines/?year=2023-24",
    ]
    signed_in = [
        "/spend-returns/",
        "/spend-returns/new/",
        f"/spend-returns/{leeds.pk}/",
        f"/spend-returns/{leeds.pk}/import/",
        f"/spend-returns/{leeds.pk}/lines/",
        f"/spend-returns/{leeds.pk}/discard/",  # the question, without JavaScript
        f"/spend-returns/{leeds.pk}/history/",
        f"/imports/{job.pk}/",
        f"/imports/{job.pk}/mapping/",
        f"/imports/{ImportJob.objects.get(filename='problems.csv').pk}/",
        "/theme-rules/",
        "/notifications/",
        f"/initiatives/{Initiative.objects.first().public_id}/savings/new/",
        "/datasets/new/",
        *(f"/datasets/editions/{e.pk}/" for e in DatasetEdition.objects.exclude(pk=cra.pk)),
    ]
    return public, signed_in


def _violations(browser, url: str = "") -> list[dict]:
    """axe's findings on ``url`` (or on the page already open)."""
    if url:
        browser.get(url)
    browser.execute_script(AXE.read_text(encoding="utf-8"))
    return browser.execute_async_script(RUN_AXE)


def test_pages_have_no_accessibility_violations(browser, site, client):
    if not AXE.exists():
        missing("needs axe-core from npm (npm ci)")
    from django.contrib.auth import get_user_model

    server, leeds, job = site
    public, signed_in = _paths(leeds, job)
    browser.set_script_timeout(30)
    found = {}
    for path in public:
        found[path] = _violations(browser, server.url + path)
    user = get_user_model().objects.create_superuser("a11y", "a11y@example.org", "unused-pw-1")
    client.force_login(user)
    browser.get(server.url + "/accounts/login/")  # the cookie's domain must be open first
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    browser.add_cookie({"name": settings.SESSION_COOKIE_NAME, "value": session})
    for path in signed_in:
        found[path] = _violations(browser, server.url + path)
        assert "Sign in" not in browser.title, f"{path} asked to sign in"
    # A phone's width: wide tables scroll in their own (focusable, named) box, not the page.
    browser.set_window_size(500, 900)
    for path in NARROW:
        browser.get(server.url + path.format(line=public[3], initiative=public[10]))
        page, view = browser.execute_script(
            "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert page <= view, f"{path} is {page}px wide on a {view}px screen: " + str(
            browser.execute_script(WIDE_ELEMENTS)
        )
        found[f"{path} (narrow)"] = _violations(browser)
    problems = {path: v for path, v in found.items() if v}
    assert not problems, "\n".join(
        f"{path}: {v['impact']} {v['rule']} ({v['help']}) at {v['nodes']}"
        for path, found_here in problems.items()
        for v in found_here
    )
