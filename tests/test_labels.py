"""Codes shown as words: an import's outcome in a history, the sign-in lockout's wait, and
the site's icon."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone

from ledger.models import WorkflowAction, WorkflowEvent
from ledger.templatetags.labels import duration_words, import_status_label, times


def test_an_imports_outcome_is_shown_by_its_label():
    previewed = WorkflowEvent(
        action=WorkflowAction.IMPORT_PREVIEWED,
        detail={"file": "spend.csv", "outcome": "needs_mapping"},
    )
    html = render_to_string(
        "audit/includes/history_entries.html",
        {"entries": [{"when": timezone.now(), "actions": [previewed]}]},
    )
    assert ": Needs a column mapping" in html and "Needsmapping" not in html
    assert import_status_label("no-such-status") == "no-such-status"


@pytest.mark.parametrize(
    ("minutes", "words"),
    [(15, "15 minutes"), (1, "1 minute"), (60, "1 hour"), (120, "2 hours"), (90, "90 minutes")],
)
def test_a_wait_in_words(minutes, words):
    assert duration_words(dt.timedelta(minutes=minutes)) == words


@pytest.mark.django_db
def test_every_page_names_the_icon(client):
    assert finders.find("favicon.svg")
    assert (
        'rel="icon" href="/static/favicon.svg"' in client.get("/accounts/login/").content.decode()
    )


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("1.2551"), "1.26×"),
        (Decimal("1.2549"), "1.25×"),
        (Decimal("3"), "3.00×"),
        (None, "–"),
    ],
)
def test_a_ratio_is_a_multiple(value, shown):
    assert times(value) == shown
