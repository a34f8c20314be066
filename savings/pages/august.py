"""A submission's four August 2010 answers, on a page and as one XLSX document with sources."""

import io
from decimal import Decimal

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.text import slugify
from openpyxl import Workbook

from ledger.exports import XLSX_TYPE, safe_cell
from pilots.models import PlaceBudgetSubmission
from pilots.selectors import pages
from savings.selectors.august import august_2010


def _submission(request, public_id) -> PlaceBudgetSubmission:
    try:
        return pages.submission_get(public_id=public_id, user=request.user)
    except PlaceBudgetSubmission.DoesNotExist as exc:
        raise Http404("No such submission") from exc


def submission_august_2010(request, public_id):
    """The Treasury's four questions of August 2010, each answered from the data."""
    submission = _submission(request, public_id)
    answers = august_2010(submission=submission, user=request.user)
    for answer in answers:
        answer.cells = [
            (title, header, [[_cell(value) for value in row] for row in rows])
            for title, header, rows in answer.tables
        ]
    context = {"submission": submission, "pilot": submission.pilot, "answers": answers}
    return render(request, "savings/august_2010.html", context)


def _cell(value) -> dict:
    """How a table cell shows: money, a link, or text."""
    if isinstance(value, Decimal):
        return {"money": value}
    if isinstance(value, str) and value.startswith("/"):
        return {"link": value}
    return {"text": "–" if value is None else value}


def submission_august_2010_xlsx(request, public_id):
    """The four answers as one workbook: a sheet per question, figures as numbers, sources."""
    submission = _submission(request, public_id)
    answers = august_2010(submission=submission, user=request.user)
    workbook = Workbook(write_only=True)
    cover = workbook.create_sheet("About")
    cover.append([safe_cell(submission.title)])
    cover.append([safe_cell(f"{submission.pilot} · baseline year {submission.baseline_year}")])
    if submission.is_illustrative:
        cover.append(["Illustrative: not a real submission."])
    for answer in answers:
        sheet = workbook.create_sheet(f"Question {answer.number}")
        sheet.append([safe_cell(answer.question)])
        sheet.append([])
        sheet.append(["Figure", "Value", "Source"])
        for label, value, source in answer.rows:
            sheet.append([safe_cell(label), _number(value), safe_cell(source)])
        for title, header, rows in answer.tables:
            sheet.append([])
            sheet.append([safe_cell(title)])
            sheet.append([safe_cell(h) for h in header])
            for row in rows:
                sheet.append([_number(v) if isinstance(v, Decimal) else safe_cell(v) for v in row])
        for note in answer.notes:
            sheet.append([])
            sheet.append([safe_cell(note)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    name = slugify(submission.title)[:60] or "submission"
    response["Content-Disposition"] = f'attachment; filename="august-2010-{name}.xlsx"'
    return response


def _number(value):
    # Exact to the penny in the file: a Decimal becomes a number cell, nothing becomes blank.
    return "" if value is None else safe_cell(value)
