"""Turning calculation results into stored JSON (decimal strings) and back."""

from savings.calculations.attribution import NO_PAYER, Attribution, Deal
from totalplace.money import pence_to_decimal

NO_PAYER_NAME = "No recorded payer"


def _money(pence: int) -> str:
    return str(pence_to_decimal(pence))


def _pence(text: str) -> int:
    from decimal import Decimal

    return int(Decimal(text) * 100)


def positions_json(attribution: Attribution, deal: Deal, names: dict) -> list[dict]:
    net = attribution.net()
    rows = []
    for code in attribution.organisations():
        paid, received = attribution.paid.get(code, 0), attribution.received.get(code, 0)
        transfer = deal.transfers.get(code, 0)
        rows.append(
            {
                "organisation": code,
                "name": names.get(code, (code, ""))[0],
                "sector": names.get(code, (code, ""))[1],
                "paid": _money(paid),
                "received": _money(received),
                "cashable": _money(attribution.cashable.get(code, 0)),
                "net": _money(net[code]),
                "invests_here_saves_elsewhere": paid > received,
                "transfer": _money(transfer),
                "after_deal": _money(net[code] + transfer),
            }
        )
    return rows


def matrix_json(attribution: Attribution, names: dict) -> list[dict]:
    def name(code):
        return NO_PAYER_NAME if code is NO_PAYER else names.get(code, (code, ""))[0]

    return [
        {
            "payer": payer,
            "payer_name": name(payer),
            "beneficiary": beneficiary,
            "beneficiary_name": name(beneficiary),
            "present_value": _money(pence),
        }
        for (payer, beneficiary), pence in sorted(
            attribution.matrix.items(), key=lambda item: (item[0][0] or "", item[0][1])
        )
    ]


def transfers_json(deal: Deal, names: dict) -> list[dict]:
    return [
        {
            "from": giver,
            "from_name": names.get(giver, (giver, ""))[0],
            "to": taker,
            "to_name": names.get(taker, (taker, ""))[0],
            "amount": _money(pence),
        }
        for (giver, taker), pence in deal.pairs.items()
    ]


def attribution_from_json(positions: list[dict], matrix: list[dict]) -> Attribution:
    """The pence values of a stored result, for summing into a pilot, place or programme."""
    result = Attribution()
    for row in positions:
        code = row["organisation"]
        for name in ("paid", "received", "cashable"):
            pence = _pence(row[name])
            if pence:
                getattr(result, name)[code] = pence
    for cell in matrix:
        result.matrix[(cell["payer"], cell["beneficiary"])] = _pence(cell["present_value"])
    return result
