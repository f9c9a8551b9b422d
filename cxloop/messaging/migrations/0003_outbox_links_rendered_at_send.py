# Survey, opt-out and digest-stop links are no longer stored in the outbox (issue 10, finding 3):
# messages keep a marker and the id the link is made from; the delivery worker renders the link.
# Existing messages are rewritten the same way, so no usable token stays at rest.

import re

from django.db import migrations, models

TOKEN_LINK = re.compile(r"https?://[^\s\"'<>]+?/(s|o|digest/stop)/[^/\s\"'<>?#]+/")
KINDS = {"s": "survey", "o": "opt_out", "digest/stop": "digest_stop"}


def _links(message, Invitation) -> dict:
    if message.subject_id is None:
        return {}
    if message.purpose in ("invitation", "reminder"):
        links = {"survey": message.subject_id}
        customer_id = (
            Invitation.objects.filter(pk=message.subject_id)
            .values_list("customer_id", flat=True)
            .first()
        )
        if customer_id is not None:
            links["opt_out"] = customer_id
        return links
    if message.purpose == "digest":
        return {"digest_stop": message.subject_id}
    return {}


def markers_for_stored_links(apps, schema_editor):
    OutboxMessage = apps.get_model("messaging", "OutboxMessage")
    Invitation = apps.get_model("surveys", "Invitation")
    with_links = (
        models.Q(body_text__contains="/s/")
        | models.Q(body_text__contains="/o/")
        | models.Q(body_text__contains="/digest/stop/")
        | models.Q(body_html__contains="/s/")
        | models.Q(body_html__contains="/o/")
    )
    for message in OutboxMessage.objects.filter(with_links).iterator(chunk_size=1000):
        replace = lambda match: f"[[cxloop:{KINDS[match.group(1)]}]]"  # noqa: E731
        message.subject = TOKEN_LINK.sub(replace, message.subject)
        message.body_text = TOKEN_LINK.sub(replace, message.body_text)
        message.body_html = TOKEN_LINK.sub(replace, message.body_html)
        message.links = _links(message, Invitation)
        message.save(update_fields=["subject", "body_text", "body_html", "links"])


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0002_outboxmessage_attempts_outboxmessage_claimed_at_and_more"),
        ("surveys", "0002_invitation_reminded_at_invitation_reminder_due_at_and_more"),
    ]

    operations = [
        migrations.AddField(
            model_name="outboxmessage",
            name="links",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunPython(markers_for_stored_links, migrations.RunPython.noop),
    ]
