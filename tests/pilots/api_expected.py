"""What the pilots API answers on the small world, worked out by hand.

The world: Testshire Council pays £100 in year 0; £20 a year lands with the PCT and £10 a year
with the police (half cashable) in years 1-5. At 3.5%: the PCT's PV is £90.30, the police's
£45.15 (cashable £22.58), NPV £35.45. The council pays £100 and gets nothing back, so the
fair-share deal moves £100 to it, 2:1 from the PCT (£66.67) and the police (£33.33).
"""

from decimal import Decimal

from savings.selectors.realisation import NOT_TRANSFERABLE

HOST = "http://testserver"


def _years():
    columns = ["year", "discount_factor", "costs", "pv_costs", "fiscal", "pv_fiscal"]
    rows = [
        (0, "1.000000", "100.00", "100.00", "0.00", "0.00"),
        (1, "0.966184", "0.00", "0.00", "30.00", "28.99"),
        (2, "0.933511", "0.00", "0.00", "30.00", "28.00"),
        (3, "0.901943", "0.00", "0.00", "30.00", "27.06"),
        (4, "0.871442", "0.00", "0.00", "30.00", "26.14"),
        (5, "0.841973", "0.00", "0.00", "30.00", "25.26"),
    ]
    cumulative = ["-100.00", "-70.00", "-40.00", "-10.00", "20.00", "50.00"]
    cumulative_pv = ["-100.00", "-71.01", "-43.01", "-15.95", "10.19", "35.45"]
    result = []
    for row, cum, cum_pv in zip(rows, cumulative, cumulative_pv, strict=True):
        r = dict(zip(columns, row, strict=True))
        net = Decimal(r["fiscal"]) - Decimal(r["costs"])
        pv_net = Decimal(r["pv_fiscal"]) - Decimal(r["pv_costs"])
        r.update(
            economic="0.00",
            pv_economic="0.00",
            social="0.00",
            pv_social="0.00",
            benefits=r["fiscal"],
            pv_benefits=r["pv_fiscal"],
            net=f"{net:.2f}",
            pv_net=f"{pv_net:.2f}",
            cumulative_fiscal_net=cum,
            cumulative_fiscal_pv_net=cum_pv,
        )
        result.append(r)
    return result


def expected_appraisal(world, appraisal):
    return {
        "initiative": str(world.initiative.public_id),
        "figure": "forecast",
        "is_current": True,
        "requested_at": appraisal.requested_at.isoformat().replace("+00:00", "Z"),
        "computed_at": appraisal.computed_at.isoformat().replace("+00:00", "Z"),
        "error": "",
        "horizon": 5,
        "pv_costs": "100.00",
        "pv_fiscal": "135.45",
        "pv_cashable": "112.88",
        "pv_economic": "0.00",
        "pv_social": "0.00",
        "pv_benefits": "135.45",
        "npv": "35.45",
        "fiscal_npv": "35.45",
        "net_budget_impact": "12.88",
        "npv_at_grades": "35.45",  # no benefit is graded: the same as entered
        "fiscal_npv_at_grades": "35.45",
        "financial_roi": "1.3545",
        "public_value_roi": "1.3545",
        "payback_year": 4,
        "payback_year_discounted": 4,
        "years": _years(),
    }


def _position(code, name, sector, paid, received, cashable, net, flag, transfer, after):
    return {
        "organisation": code,
        "name": name,
        "sector": sector,
        "paid": paid,
        "received": received,
        "cashable": cashable,
        "net": net,
        "invests_here_saves_elsewhere": flag,
        "transfer": transfer,
        "after_deal": after,
    }


def expected_attribution(world, attribution, scope, key, name, csv_path):
    return {
        "id": attribution.pk,
        "scope": scope,
        "subject": {"key": key, "name": name},
        "csv_url": HOST + csv_path,
        "computed_at": attribution.computed_at.isoformat().replace("+00:00", "Z"),
        "initiative_count": 1,
        "figure": "forecast",
        "caveat": None if scope == "initiative" else NOT_TRANSFERABLE,
        "pv_costs": "100.00",
        "pv_fiscal": "135.45",
        "fiscal_net": "35.45",
        "deal_possible": True,
        "shortfall": "0.00",
        "is_illustrative": False,
        "positions": [
            _position(
                "COUNCIL",
                "Testshire Council",
                "local_government",
                "100.00",
                "0.00",
                "0.00",
                "-100.00",
                True,
                "100.00",
                "0.00",
            ),
            _position(
                "NHS",
                "Testshire PCT",
                "nhs",
                "0.00",
                "90.30",
                "90.30",
                "90.30",
                False,
                "-66.67",
                "23.63",
            ),
            _position(
                "POLICE",
                "Testshire Police",
                "police",
                "0.00",
                "45.15",
                "22.58",
                "45.15",
                False,
                "-33.33",
                "11.82",
            ),
        ],
        "matrix": [
            {
                "payer": "COUNCIL",
                "payer_name": "Testshire Council",
                "beneficiary": "NHS",
                "beneficiary_name": "Testshire PCT",
                "present_value": "90.30",
            },
            {
                "payer": "COUNCIL",
                "payer_name": "Testshire Council",
                "beneficiary": "POLICE",
                "beneficiary_name": "Testshire Police",
                "present_value": "45.15",
            },
        ],
        "transfers": [
            {
                "from": "NHS",
                "from_name": "Testshire PCT",
                "to": "COUNCIL",
                "to_name": "Testshire Council",
                "amount": "66.67",
            },
            {
                "from": "POLICE",
                "from_name": "Testshire Police",
                "to": "COUNCIL",
                "to_name": "Testshire Council",
                "amount": "33.33",
            },
        ],
    }


def _time(value):
    return value.isoformat().replace("+00:00", "Z")


def expected_initiative(world):
    i = world.initiative
    i.refresh_from_db()
    uid = str(i.public_id)
    return {
        "id": uid,
        "pilot": "alpha",
        "title": "Family key workers",
        "summary": "Key workers for families.",
        "status": "published",
        "deep_dive": None,
        "service_theme": "family-support",
        "baseline_year": "2010-11",
        "baseline_basis": "entered",
        "baseline_amount": "1000000.00",
        "baseline_ledger_amount": None,
        "baseline_ledger_lines": 0,
        "baseline_entered_amount": "1000000.00",
        "baseline_entered_source": "Council budget book 2010-11",
        "is_illustrative": False,
        "created_at": _time(i.created_at),
        "updated_at": _time(i.updated_at),
        "url": f"{HOST}/api/v1/initiatives/{uid}/",
        "html_url": f"{HOST}/initiatives/{uid}/",
        "appraisal_url": f"{HOST}/api/v1/appraisals/{uid}/",
        "attribution_url": f"{HOST}/api/v1/attributions/?scope=initiative&key={uid}",
    }


def expected_pilot():
    return {
        "slug": "alpha",
        "name": "Alpha",
        "programme": "test-programme",
        "kind": "pilot",
        "status": "active",
        "places": [
            {
                "code": "E99000001",
                "gss_code": "E99000001",
                "snac_code": None,
                "name": "Alphaton",
                "kind": "district",
                "html_url": f"{HOST}/places/alphaton/",
            },
        ],
        "lead_organisation": {
            "code": "COUNCIL",
            "name": "Testshire Council",
            "sector": "local_government",
        },
        "deep_dives": [],
        "service_themes": [],
        "summary": "",
        "is_illustrative": False,
        "url": f"{HOST}/api/v1/pilots/alpha/",
        "html_url": f"{HOST}/pilots/alpha/",
        "evidence_pack_url": f"{HOST}/api/v1/pilots/alpha/evidence-pack/",
        "attribution_url": f"{HOST}/api/v1/attributions/?scope=pilot&key=alpha",
    }
