"""Foreign-key indexes that a unique constraint already leads with: ingestion wrote each of
their rows into both. Only the index goes: Django's AlterField would also drop and re-add (and so
re-check) the foreign key over the whole table, and on SQLite rebuild the table."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("journeys", "0005_verbose_names"), ("orgs", "0005_verbose_names")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="interaction",
                    name="organisation",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="interactions",
                        to="orgs.organisation",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "journeys_interaction_organisation_id_695dd941"',
                    reverse_sql='CREATE INDEX "journeys_interaction_organisation_id_695dd941" ON "journeys_interaction" ("organisation_id")',
                ),
            ],
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="journey",
                    name="journey_type",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="journeys",
                        to="journeys.journeytype",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "journeys_journey_journey_type_id_ef55ca5d"',
                    reverse_sql='CREATE INDEX "journeys_journey_journey_type_id_ef55ca5d" ON "journeys_journey" ("journey_type_id")',
                ),
            ],
        ),
    ]
