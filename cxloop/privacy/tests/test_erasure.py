"""Erasure: after a customer went through the whole loop and was erased, no column of any table
holds their e-mail, phone, name, key or words; the dashboards show the same numbers before, after
and after a roll-up rebuild; the receipt and the audit log say what happened."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from cxloop.audit.models import AuditEntry
from cxloop.audit.services import record_change
from cxloop.customers.models import Customer
from cxloop.dashboards import queries as dashboards
from cxloop.dashboards.models import DailyScore
from cxloop.followup.models import FollowUpCase
from cxloop.journeys.models import Interaction
from cxloop.messaging.models import OutboxMessage
from cxloop.privacy.models import AnonymousCustomer, ErasureReceipt
from cxloop.privacy.tests import loop
from cxloop.process.models import EventLog, LogEvent
from cxloop.responses.models import Answer, Response
from cxloop.text.models import AnalysedText
from cxloop.webhooks.models import WebhookDelivery

pytestmark = pytest.mark.django_db(transaction=False)


def rows_holding(text: str) -> dict[str, int]:
    """Search every column of every table, cast to text, for a string (case-insensitive)."""
    found: dict[str, int] = {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            columns = [
                c.name for c in connection.introspection.get_table_description(cursor, table)
            ]
            for column in columns:
                cursor.execute(
                    f"SELECT COUNT(*) FROM {quote(table)} WHERE LOWER(CAST({quote(column)} AS TEXT)) LIKE %s",
                    [f"%{text.lower()}%"],
                )
                count = cursor.fetchone()[0]
                if count:
                    found[f"{table}.{column}"] = count
    return found


def tables_searched() -> int:
    with connection.cursor() as cursor:
        return len(connection.introspection.table_names(cursor))


def dashboard_numbers(cast) -> dict:
    """What the dashboards show: scores per organisation, unit, employee, segment and channel, and the roll-ups."""
    today = timezone.localdate()
    period = dashboards.Filters(since=today - timedelta(days=89), until=today)
    return {
        "owner": dashboards.scores_for_organisation(organisation=cast.owner, filters=period),
        "partner": dashboards.scores_for_organisation(organisation=cast.partner, filters=period),
        "team": dashboards.scores_for_unit(unit=cast.team, filters=period),
        "department": dashboards.scores_for_unit(unit=cast.department, filters=period),
        "agent": dashboards.scores_for_employee(employee=cast.agent, filters=period),
        "business": dashboards.scores_for_organisation(
            organisation=cast.owner,
            filters=dashboards.Filters(since=period.since, until=today, segment="zakelijk"),
        ),
        "by channel": dashboards.scores_by(
            slice=dashboards.Slice(organisation_ids=frozenset({cast.owner.pk, cast.partner.pk})),
            filters=period,
            fields=("channel_id",),
        ),
        "rollups": sorted(
            DailyScore.objects.values_list(
                "day",
                "organisation_id",
                "unit_id",
                "employee_id",
                "segment",
                "promoters",
                "passives",
                "detractors",
            )
        ),
    }


@pytest.fixture
def world(cast, tmp_path, django_capture_on_commit_callbacks):
    return loop.push_through_loop(cast, tmp_path, django_capture_on_commit_callbacks)


def test_the_loop_left_the_customer_everywhere_before_the_erasure(world):
    # The scan finds what it must find later not to find: otherwise "0 rows" would prove nothing.
    places = {text: rows_holding(text) for text in loop.SECRETS}
    assert all(places.values()), places
    assert "django_admin_log.object_repr" in places[loop.KEY]
    assert "process_logevent.case_id" in places[loop.KEY]
    assert "webhooks_webhookdelivery.payload" in places[loop.KEY]
    assert "audit_auditentry.object_repr" in places[loop.KEY]
    assert "messaging_outboxmessage.body_text" in places[loop.COMMENT]  # the digest quoting it
    assert "followup_caseevent.note" in places[loop.NOTE]
    # The text analysis keeps the comment with the name masked ("Meneer [naam] hier: ..."), so it
    # holds nothing of the customer even before the erasure (issue 13).
    assert "text_analysedtext.masked_text" not in places[loop.NAME]
    assert world.hooks and world.mailbox.messages


def test_after_erasure_no_column_of_any_table_names_the_customer(cast, world):
    officer = cast.client_for(cast.owner_admin)
    before = dashboard_numbers(cast)
    unrelated = record_change(
        actor=cast.lead.user, action="rule.changed", target=cast.team, organisation=cast.owner
    )
    page = officer.get(f"/privacy/leasewijs/customers/{world.customer.pk}/erase/")
    assert page.status_code == 200 and loop.KEY in page.content.decode()
    erased = officer.post(
        f"/privacy/leasewijs/customers/{world.customer.pk}/erase/", {"confirm": "1"}
    )
    assert erased.status_code == 302

    left = {text: rows_holding(text) for text in loop.SEARCHED}
    assert left == {text: {} for text in loop.SEARCHED}
    print(
        f"\nerasure: 0 rows left for {len(loop.SEARCHED)} strings in {tables_searched()} tables ({connection.vendor})"
    )

    # Statistics keep only anonymous counts, and the dashboards the same numbers, before a rebuild and after.
    assert dashboard_numbers(cast) == before
    call_command("rollups", "rebuild")
    assert dashboard_numbers(cast) == before
    stand_in = AnonymousCustomer.objects.get(chain=cast.chain, segment="zakelijk").customer
    kept = Response.objects.get(customer=stand_in)
    assert (kept.nps, kept.comment, kept.journey, kept.interaction, kept.invitation) == (
        2,
        "",
        None,
        None,
        None,
    )
    assert (kept.employee, kept.unit, kept.organisation) == (cast.agent, cast.team, cast.owner)
    assert not Answer.objects.filter(response=kept).exclude(text="").exists()
    assert stand_in.email == stand_in.phone == "" and stand_in.opted_out_at is not None

    # The control customer and the rest of the event log are untouched.
    assert Response.objects.get(customer=world.other).comment == loop.OTHER_COMMENT
    assert Interaction.objects.filter(customer=world.other).count() == 1
    log = EventLog.objects.get()
    assert sorted(LogEvent.objects.values_list("case_id", flat=True)) == ["ANDER-1", loop.OTHER_KEY]
    assert (log.events, log.cases) == (2, 2)

    receipt = ErasureReceipt.objects.get()
    assert erased["Location"] == f"/privacy/leasewijs/receipts/{receipt.pk}/"
    counts = receipt.counts
    assert counts["deleted"]["customers_customer"] == 1
    assert counts["deleted"]["journeys_interaction"] == 2
    assert counts["deleted"]["followup_followupcase"] == 1
    assert counts["deleted"]["django_admin_log"] >= 1
    assert counts["anonymised"]["responses_response"] == 1
    assert counts["redacted"]["messaging_outboxmessage"] == 1  # Anouk's digest
    assert counts["deleted"]["webhooks_webhookdelivery"] == 2
    assert counts["redacted"]["audit_auditentry"] >= 2
    assert receipt.customer_hash and loop.KEY not in str(receipt.counts)
    assert set(receipt.organisations.all()) == {cast.owner, cast.partner}
    assert receipt.actor_label == "olivia"
    # Written to the audit log of both organisations that held the customer.
    unrelated.refresh_from_db()
    assert unrelated.redacted_at is None and unrelated.object_repr == "Team Noord"
    assert (
        AuditEntry.objects.filter(redacted_at__isnull=False).count()
        == counts["redacted"]["audit_auditentry"]
    )
    erasures = AuditEntry.objects.filter(action="customer.erased")
    assert {e.organisation for e in erasures} == {cast.owner, cast.partner}
    shown = officer.get(erased["Location"]).content.decode()
    assert "customers_customer" in shown and receipt.customer_hash in shown


def test_an_erasure_is_all_or_nothing(cast, world, monkeypatch):
    from cxloop.privacy import services

    def broken(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(services, "_write_receipt", broken)
    with pytest.raises(RuntimeError):
        services.erase_customer(organisation=cast.owner, customer=world.customer, actor=None)
    assert Customer.objects.filter(key=loop.KEY).exists()
    assert FollowUpCase.objects.filter(response__customer__key=loop.KEY).exists()
    assert AnalysedText.objects.filter(response__customer__key=loop.KEY).exists()
    assert OutboxMessage.objects.filter(recipient=loop.EMAIL).exists()
    assert WebhookDelivery.objects.count() == 2
    assert not ErasureReceipt.objects.exists()
