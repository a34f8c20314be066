"""The evidence grades and their default optimism-bias reductions, held as data.

After the confidence grades of "Supporting public service transformation: cost benefit analysis
guidance for local partnerships" (HM Treasury, Public Service Transformation Network and New
Economy, 2014): the weaker the evidence for a figure, the more it is reduced. Admins edit these
rows; every appraisal is recomputed when they do.
"""

from decimal import Decimal

from django.db import migrations

SOURCE = (
    "HM Treasury, PSTN and New Economy (2014), Supporting public service transformation: cost "
    "benefit analysis guidance for local partnerships, optimism bias correction by confidence "
    "grade"
)
GRADES = [
    (1, "audited-local-evaluation", "Independently audited local evaluation",
     "Cost or outcome data from a robust local evaluation, independently audited.", "0"),
    (2, "local-evaluation", "Local evaluation or robust national study",
     "A local evaluation, or a well-designed national study of the same intervention.", "5"),
    (3, "local-data", "Local data, not audited",
     "Data collected locally but not independently checked, or a national study of a "
     "similar intervention.", "10"),
    (4, "comparable-sources", "Comparable sources",
     "Figures drawn from other places or interventions thought comparable.", "15"),
    (5, "dated-or-partial", "Dated, partial or small-sample data",
     "Old data, partial coverage or a small sample.", "25"),
    (6, "expert-judgement", "Expert judgement",
     "An estimate by people who know the service, with little or no data behind it.", "40"),
]


def load(apps, schema_editor):
    EvidenceGrade = apps.get_model("savings", "EvidenceGrade")
    for rank, code, name, description, percent in GRADES:
        EvidenceGrade.objects.update_or_create(
            code=code,
            defaults={
                "rank": rank,
                "name": name,
                "description": description,
                "optimism_bias_percent": Decimal(percent),
                "source": SOURCE,
            },
        )


def unload(apps, schema_editor):
    apps.get_model("savings", "EvidenceGrade").objects.filter(
        code__in=[code for _, code, *_ in GRADES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("savings", "0003_evidence_grades")]

    operations = [migrations.RunPython(load, unload)]
