from django.db import migrations

# Half of each page of DailyScore left free, so that a rebuild (and live counting) can update a
# day row's counts on its own page without touching the table's indexes (PostgreSQL's HOT
# update); see rollups._write_day_rows. SQLite has no such setting.
FILLFACTOR = 50


def leave_room(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE dashboards_dailyscore SET (fillfactor = {FILLFACTOR})")


def fill_pages(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE dashboards_dailyscore RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("dashboards", "0003_compact_rollups")]

    operations = [migrations.RunPython(leave_room, fill_pages)]
