"""The evidence grades and their default optimism-bias reductions, held as data.

After the confidence grades of "Supporting public service transformation: cost benefit analysis
guidance for local partnerships" (HM Treasury, Public Service Transformation Network and New
Economy, 2014): the weaker the evidence for a figure, the more it is reduced. Admins edit these
rows; every appraisal is recomputed when they do.
"""

import csv
from decimal import Decimal
from pathlib import Path

from django.db import migrations

# The table itself is fixtures/savings/evidence_grades.csv, also read by
# savings.services.reference.evidence_grades_load (a migration does not import app code).
GRADES_CSV = Path(__file__).resolve().parents[2] / "fixtures" / "savings" / "evidence_grades.csv"


def _grades() -> list[dict]:
    with GRADES_CSV.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load(apps, schema_editor):
    EvidenceGrade = apps.get_model("savings", "EvidenceGrade")
    for row in _grades():
        EvidenceGrade.objects.update_or_create(
            code=row["code"],
            defaults={
                "rank": int(row["rank"]),
                "name": row["name"],
                "description": row["description"],
                "optimism_bias_percent": Decimal(row["optimism_bias_percent"]),
                "source": row["source"],
            },
        )


def unload(apps, schema_editor):
    apps.get_model("savings", "EvidenceGrade").objects.filter(
        code__in=[row["code"] for row in _grades()]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("savings", "0003_evidence_grades")]

    operations = [migrations.RunPython(load, unload)]
