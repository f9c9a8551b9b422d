"""Foreign-key indexes that a unique constraint already leads with: ingestion wrote each of
their rows into both. Only the index goes: Django's AlterField would also drop and re-add (and so
re-check) the foreign key over the whole table, and on SQLite rebuild the table."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("customers", "0006_fewer_ingest_indexes"), ("orgs", "0005_verbose_names")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="customer",
                    name="chain",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="customers",
                        to="orgs.chain",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "customers_customer_chain_id_3cfd2bf7"',
                    reverse_sql='CREATE INDEX "customers_customer_chain_id_3cfd2bf7" ON "customers_customer" ("chain_id")',
                ),
            ],
        ),
    ]
