"""Signing in, and a signed-in user's own API tokens: create (key shown once), list, revoke."""

import datetime as dt

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ledger.selectors.access import user_api_tokens, user_organisations
from ledger.services.access import api_token_create, api_token_revoke
from ledger.services.demo_accounts import DEMO_PASSWORD, DEMO_ROLES
from totalplace.permissions import has_perm


class SignInView(LoginView):
    """Django's sign-in; on a laptop (DEBUG) it also lists the demo sign-ins ``make run``
    creates. Never on a real server, where DEBUG is off."""

    def get_default_redirect_url(self):
        """Officers and approvers land on what waits for them; everyone else on the places.
        (A ``next`` the sign-in was asked for still wins.)"""
        if user_organisations(user=self.request.user).exists():
            return reverse("spend-return-list") + "#waiting"
        return super().get_default_redirect_url()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if settings.DEBUG:
            context.update(demo_roles=DEMO_ROLES, demo_password=DEMO_PASSWORD)
        return context


NO_ORGANISATION = "No organisation"
LIFETIME_CHOICES = [(30, "30 days"), (90, "90 days"), (365, "1 year")]


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=100, help_text="What will use it, e.g. “monthly upload script”."
    )
    organisation = forms.ModelChoiceField(queryset=None, empty_label=None)
    lifetime_days = forms.TypedChoiceField(choices=LIFETIME_CHOICES, coerce=int, initial=90)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        field.queryset = user_organisations(user=user)
        # Analysts, dataset editors, pilot leads and admins may also choose none.
        self.without_organisation = has_perm(user, "ledger.create_api_token_without_organisation")
        if self.without_organisation:
            field.required = False
            field.empty_label = NO_ORGANISATION
            field.help_text = "None: public data, and what your role may do beyond it."
        self.can_create = self.without_organisation or field.queryset.exists()


@login_required
def api_tokens(request):
    form = ApiTokenForm(request.POST or None, user=request.user)
    new_key = None
    if request.method == "POST" and not form.can_create:
        raise PermissionDenied("Your account has no role that uses API tokens.")
    if request.method == "POST" and form.is_valid():
        token, new_key = api_token_create(
            user=request.user,
            organisation=form.cleaned_data["organisation"],
            name=form.cleaned_data["name"],
            lifetime=dt.timedelta(days=form.cleaned_data["lifetime_days"]),
        )
        messages.success(
            request, f"Token “{token.name}” created. Copy the key now: it is not shown again."
        )
        form = ApiTokenForm(user=request.user)
    tokens = user_api_tokens(user=request.user)
    return render(
        request,
        "ledger/account/api_tokens.html",
        {"form": form, "tokens": tokens, "new_key": new_key},
    )


@login_required
@require_POST
def api_token_revoke_view(request, pk: int):
    token = get_object_or_404(user_api_tokens(user=request.user), pk=pk)
    api_token_revoke(token=token)
    messages.success(request, f"Token “{token.name}” revoked.")
    return redirect("account-api-tokens")
