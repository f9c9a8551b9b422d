# A case about a partner's contact in the journey owner's journey was opened for the owner, the
# organisation whose rule had invited the customer (issue 11): the partner's admin could not see
# it and escalation went to the owner's admins. New cases belong to the organisation whose
# employee had the contact (followup.services.handled_by); existing ones move to their unit's
# organisation when nothing ties them to the owner: no queue of the owner's rule, an assignee (if
# any) of that same organisation, and no root cause chosen from the owner's list yet.

from collections import defaultdict

from django.db import migrations, models


def cases_to_their_units_organisation(apps, schema_editor):
    FollowUpCase = apps.get_model("followup", "FollowUpCase")
    mismatched = (
        FollowUpCase.objects.filter(unit__isnull=False, queue__isnull=True, root_cause__isnull=True)
        .exclude(organisation_id=models.F("unit__organisation_id"))
        .filter(
            models.Q(assignee__isnull=True)
            | models.Q(assignee__organisation_id=models.F("unit__organisation_id"))
        )
    )
    by_organisation = defaultdict(list)
    for case_id, organisation_id in mismatched.values_list("pk", "unit__organisation_id"):
        by_organisation[organisation_id].append(case_id)
    for organisation_id, case_ids in by_organisation.items():
        FollowUpCase.objects.filter(pk__in=case_ids).update(organisation_id=organisation_id)


class Migration(migrations.Migration):
    dependencies = [
        ("followup", "0002_followupcase_action_taken_followupcase_closed_reason_and_more"),
    ]

    operations = [
        migrations.RunPython(cases_to_their_units_organisation, migrations.RunPython.noop),
    ]
