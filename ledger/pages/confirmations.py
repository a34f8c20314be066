"""Asking before a step that cannot be taken back: submitting, approving, discarding a return.

Each step's button on the return's page is a link to the step's own URL: there (a GET) a page
asks the question and posts the answer, so it works without JavaScript. With JavaScript the
same form opens in a native ``<dialog>`` on the return's page instead (``confirm-dialog.js``).
"""

from dataclasses import dataclass

from django.shortcuts import redirect, render
from django.urls import reverse

from ledger.models import SpendReturn
from totalplace.permissions import has_perm


@dataclass(frozen=True)
class Confirmation:
    name: str  # the step, and the URL name's suffix
    url: str
    perm: str  # who may take it now (the role and the return's state)
    question: str
    explains: str
    button: str
    danger: bool = False
    reason: str = ""  # the label of the reason the step needs, if it needs one


def _submit(spend_return: SpendReturn, warnings: bool) -> Confirmation:
    return Confirmation(
        name="submit",
        url=reverse("spend-return-submit", args=[spend_return.pk]),
        perm="ledger.submit_spend_return",
        question=f"Submit {spend_return} for sign-off?",
        explains="Its lines are fixed from then on: they can be changed again only if an "
        "approver sends it back. Its approvers are told it is waiting for them.",
        button="Submit for sign-off",
    )


def _approve(spend_return: SpendReturn, warnings: bool) -> Confirmation:
    return Confirmation(
        name="approve",
        url=reverse("spend-return-approve", args=[spend_return.pk]),
        perm="ledger.approve_spend_return",
        question=f"Approve {spend_return}?",
        explains="Its lines count in the totals from then on, in place of any version "
        "approved before. The people who prepared it are told.",
        button="Approve",
        reason="Approve despite the warnings on its check-list, saying why (recorded with "
        "the approval)"
        if warnings
        else "",
    )


def _discard(spend_return: SpendReturn, warnings: bool) -> Confirmation:
    return Confirmation(
        name="discard",
        url=reverse("spend-return-discard", args=[spend_return.pk]),
        perm="ledger.discard_spend_return",
        question=f"Discard draft {spend_return}?",
        explains="The draft and its lines are deleted; this cannot be undone. Its history "
        "keeps a record that it was discarded.",
        button="Discard this draft",
        danger=True,
    )


STEPS = {"submit": _submit, "approve": _approve, "discard": _discard}


def confirmations(*, user, spend_return: SpendReturn, warnings: bool) -> dict[str, Confirmation]:
    """The steps ``user`` may take on ``spend_return`` now, each with its question."""
    steps = {name: step(spend_return, warnings) for name, step in STEPS.items()}
    return {name: c for name, c in steps.items() if has_perm(user, c.perm, spend_return)}


def confirm_page(request, spend_return: SpendReturn, name: str, *, warnings: bool = False):
    """The question on a page of its own; back to the return if the step cannot be taken (it
    was taken already, or the page was out of date)."""
    confirmation = STEPS[name](spend_return, warnings)
    if not has_perm(request.user, confirmation.perm, spend_return):
        return redirect("spend-return-detail", pk=spend_return.pk)
    return render(
        request,
        "ledger/returns/confirm.html",
        {"spend_return": spend_return, "confirm": confirmation},
    )
