# Journey ids are namespaced by journey type and customer (issue 10, finding 1): the same id for
# another customer is another journey, so no answer reveals that an id is in use elsewhere.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("journeys", "0002_interaction_wait_seconds"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="journey",
            name="journey_external_id_per_chain",
        ),
        migrations.AddConstraint(
            model_name="journey",
            constraint=models.UniqueConstraint(
                fields=("journey_type", "customer", "external_id"),
                name="journey_external_id_per_type_and_customer",
            ),
        ),
    ]
