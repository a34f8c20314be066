"""The net positions table's total row: every column summed, "of which cashable" included."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from ledger.templatetags.money import money
from savings.models import Attribution

pytestmark = pytest.mark.django_db


def _total_row(page: str) -> list[str]:
    table = page[page.index("Each organisation's net position") :]
    row = table[table.index('<tfoot><tr class="total">') : table.index("</tfoot>")]
    return re.findall(r"<td>(.*?)</td>", row)


@pytest.mark.parametrize("scope", ["initiative", "pilot"])
def test_the_total_row_sums_the_cashable_column_exactly(client, world, scope):
    subject = world.initiative if scope == "initiative" else world.alpha
    positions = Attribution.objects.get(**{scope: subject}).positions
    cashable = sum(Decimal(p["cashable"]) for p in positions)
    assert cashable == Decimal("112.88")  # all the NHS's savings, half the police's
    url = subject.get_absolute_url() if scope == "initiative" else None
    url = url or reverse("pilots:pilot-detail", args=[subject.slug])
    pays, saves, of_which_cashable, *_ = _total_row(client.get(url).content.decode())
    assert of_which_cashable == money(cashable)
