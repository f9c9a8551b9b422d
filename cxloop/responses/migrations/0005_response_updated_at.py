from django.db import migrations, models
from django.db.models.functions import Coalesce


def from_the_last_answer(apps, schema_editor):
    """Existing responses changed last when they were last answered (or counted, or started)."""
    Response = apps.get_model("responses", "Response")
    Response.objects.update(updated_at=Coalesce("last_answer_at", "submitted_at", "started_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("responses", "0004_response_counts_from_the_tap"),
    ]

    operations = [
        migrations.AddField(
            model_name="response",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, db_index=True),
        ),
        migrations.RunPython(from_the_last_answer, migrations.RunPython.noop),
    ]
