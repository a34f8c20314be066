"""Today's theme rules applied to a draft's unallocated lines, for token clients (as on the
return's page): after adding rules, no need to upload the file again."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from ledger.services.lines import spend_lines_apply_theme_rules
from totalplace.parsers import LimitedFormParser, LimitedJSONParser

from .returns import PREFIX, TokenView
from .returns_serializers import OrganisationSpendReturnSerializer


class ThemeRulesAppliedSerializer(serializers.Serializer):
    allocated = serializers.IntegerField(help_text="Lines that now have a theme.")
    still_unallocated = serializers.IntegerField(help_text="Lines no rule matches yet.")
    spend_return = OrganisationSpendReturnSerializer()


class SpendReturnApplyThemeRules(TokenView, APIView):
    parser_classes = [LimitedJSONParser, LimitedFormParser]

    @extend_schema(
        summary="Apply today's theme rules to a draft's unallocated lines",
        request=None,
        responses=ThemeRulesAppliedSerializer,
    )
    def post(self, request, pk: int):
        """Gives each unallocated line of a draft (or sent-back) return the theme the rules
        find for it now: the organisation's own rules first, then everyone's. A theme a line
        already has is never changed. Each changed line is in the audit trail."""
        result = spend_lines_apply_theme_rules(
            spend_return=self.spend_return(pk), actor=request.user
        )
        result["spend_return"] = self.spend_return(pk)  # read again: its counts after the change
        return Response(ThemeRulesAppliedSerializer(result).data)


urlpatterns = [
    path(
        f"{PREFIX}spend-returns/<int:pk>/apply-theme-rules/",
        SpendReturnApplyThemeRules.as_view(),
        name="api-own-return-apply-theme-rules",
    ),
]
