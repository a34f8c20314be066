from django.db import migrations, models


class Migration(migrations.Migration):
    # After the receivers are filled (0025): the index is built once over the lines that pay a
    # body, not maintained row by row while they are set.
    dependencies = [
        ("ledger", "0028_spend_line_receiver"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="spendline",
            index=models.Index(
                condition=models.Q(("receiver__isnull", False)),
                fields=["organisation", "financial_year", "place", "theme", "basis", "receiver"],
                include=("amount", "spend_return"),
                name="spend_line_paid_body",
            ),
        ),
    ]
