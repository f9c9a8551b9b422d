"""Retention per organisation: the daily purge blanks contact details, free text and message bodies
that were kept long enough, once a day, idempotently, and the privacy page shows what it did."""

from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from cxloop.customers.models import Customer, CustomerContact
from cxloop.followup.models import CaseEvent, FollowUpCase
from cxloop.lib.testing.smtp import smtp_server
from cxloop.messaging.models import OutboxMessage
from cxloop.privacy import services
from cxloop.privacy.models import PurgeRun, RetentionPolicy
from cxloop.privacy.tests import loop
from cxloop.responses.models import Answer, Response
from cxloop.server.sweeper import sweep
from cxloop.text.models import AnalysedText
from cxloop.webhooks.models import WebhookDelivery
from cxloop.webhooks.services import create_endpoint

pytestmark = pytest.mark.django_db


def feedback(cast, capture, *, key: str, when: datetime, comment: str) -> None:
    """At `when`: a contact, an e-mailed survey answered as a detractor, a case with a note."""
    email = f"{key.lower()}@example.nl"
    with (
        time_machine.travel(when),
        smtp_server() as mailbox,
        override_settings(
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=mailbox.port,
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        ),
    ):
        payload = loop._payload(
            f"{key}-1", key, email, "+31 6 1111 2222", f"claim-{key}", "A1", when
        )
        loop._post_interaction(cast.owner_key, payload, capture)
        loop._answer(cast, mailbox, email, 3, comment, capture)
        case = FollowUpCase.objects.get(response__customer__key=key)
        with capture(execute=True):
            cast.client_for(cast.lead.user).post(
                f"/cases/{case.pk}/contact/",
                {"channel": "phone", "reached": "yes", "note": f"Gesproken met {key}"},
            )


@pytest.fixture
def history(cast, django_capture_on_commit_callbacks):
    """An old customer (26 months ago), a recent one (2 months) and one of today."""
    create_endpoint(
        organisation=cast.owner, url="http://127.0.0.1:9/unreachable", events=["case.opened"]
    )
    now = timezone.now()
    feedback(
        cast,
        django_capture_on_commit_callbacks,
        key="OUD",
        when=now - timedelta(days=792),
        comment="Veel te lang gewacht op de monteur.",
    )
    feedback(
        cast,
        django_capture_on_commit_callbacks,
        key="RECENT",
        when=now - timedelta(days=60),
        comment="De planning liep weer eens uit.",
    )
    feedback(
        cast,
        django_capture_on_commit_callbacks,
        key="VANDAAG",
        when=now - timedelta(hours=2),
        comment="Niemand nam de telefoon op.",
    )
    # Failed deliveries are final: the payload of a final one may go after the message period.
    WebhookDelivery.objects.update(status=WebhookDelivery.Status.FAILED)
    return now


def state(key: str) -> dict:
    customer = Customer.objects.get(key=key)
    response = Response.objects.get(customer=customer)
    contacts = list(CustomerContact.objects.filter(customer=customer))
    return {
        # The details every organisation supplied (one here), or the customer's unattributed ones.
        "email": "".join(c.email for c in contacts) or customer.email,
        "phone": "".join(c.phone for c in contacts) or customer.phone,
        "comment": response.comment,
        "answer": Answer.objects.get(response=response, question__kind="open").text,
        "analysis": AnalysedText.objects.get(response=response).masked_text,
        "notes": [
            e.note
            for e in CaseEvent.objects.filter(case__response=response, kind="contact_attempt")
        ],
        "nps": response.nps,
    }


def test_the_purge_blanks_what_was_kept_long_enough_and_nothing_else(cast, history):
    before = {key: state(key) for key in ("OUD", "RECENT", "VANDAAG")}
    counts = dict(services.purge(organisation=cast.owner, now=history, dry_run=True))[cast.owner]
    assert {
        key: state(key) for key in ("OUD", "RECENT", "VANDAAG")
    } == before  # a dry run changes nothing

    [(_, applied)] = services.purge(organisation=cast.owner, now=history)
    assert applied == counts
    old = state("OUD")
    assert (
        old["email"],
        old["phone"],
        old["comment"],
        old["answer"],
        old["analysis"],
        old["notes"],
    ) == ("", "", "", "", "", [""])
    assert old["nps"] == 3  # scores stay, anonymous without the details and the words
    assert state("RECENT") == before["RECENT"]  # 2 months: within 12 and 24 months
    assert state("VANDAAG") == before["VANDAAG"]
    assert counts["contact_details"] == 1
    assert (counts["comments"], counts["open_answers"], counts["text_analyses"]) == (1, 1, 1)
    assert counts["case_notes"] == 2  # OUD's opening reason and its contact note; nothing of RECENT
    # Message bodies older than 30 days: OUD's and RECENT's; today's stay.
    assert (
        not OutboxMessage.objects.filter(created_at__lt=history - timedelta(days=30))
        .exclude(body_text="")
        .exists()
    )
    assert (
        OutboxMessage.objects.filter(created_at__gte=history - timedelta(days=1))
        .exclude(body_text="")
        .exists()
    )
    assert (
        counts["message_bodies"]
        == OutboxMessage.objects.filter(created_at__lt=history - timedelta(days=30)).count()
    )
    assert (
        counts["message_recipients"]
        == OutboxMessage.objects.filter(created_at__lt=history - timedelta(days=365)).count()
        > 0
    )
    assert counts["webhook_payloads"] == 2
    assert WebhookDelivery.objects.exclude(payload={}).count() == 1

    [(_, again)] = services.purge(organisation=cast.owner, now=history)
    assert set(again.values()) == {0}  # idempotent
    assert PurgeRun.objects.filter(organisation=cast.owner, trigger="manual").count() == 2


def test_each_organisation_keeps_by_its_own_periods(cast, history):
    RetentionPolicy.objects.create(
        organisation=cast.owner, free_text_months=1, contact_months=60, message_body_days=1000
    )
    [(_, counts)] = services.purge(organisation=cast.owner, now=history)
    assert (counts["comments"], counts["contact_details"], counts["message_bodies"]) == (2, 0, 0)
    assert state("RECENT")["comment"] == "" and state("OUD")["email"] == "oud@example.nl"


def test_contact_details_stay_while_another_organisation_of_the_chain_still_needs_them(
    cast, post_interaction
):
    old = timezone.now() - timedelta(days=600)
    for org_key, external_id, when in (
        (cast.partner_key, "bc-1", old),
        (cast.owner_key, "lw-1", old + timedelta(days=1)),
    ):
        payload = loop._payload(
            external_id, "GEDEELD", "gedeeld@example.nl", "", "claim-g", "", when
        )
        del payload["employee"]
        assert post_interaction(payload, key=org_key).status_code == 201
    RetentionPolicy.objects.create(organisation=cast.partner, contact_months=36)
    assert services.expired_contacts(organisation=cast.owner, now=timezone.now()) == []
    RetentionPolicy.objects.filter(organisation=cast.partner).update(contact_months=12)
    customer = Customer.objects.get(key="GEDEELD")
    # The run of the organisation that had the last contact blanks them; the partner's finds nothing.
    assert services.expired_contacts(organisation=cast.partner, now=timezone.now()) == []
    assert services.expired_contacts(organisation=cast.owner, now=timezone.now()) == [customer.pk]


def test_the_sweeper_purges_once_a_day_after_three_and_the_page_shows_it(cast, history):
    today = timezone.localdate(history)
    zone = timezone.get_current_timezone()
    organisations = 3  # Leasewijs, Belcentrum, Elders, and the run for messages of no organisation
    at = lambda day, hour: datetime.combine(day, time(hour), zone)  # noqa: E731
    sweep(now=at(today, 2))
    assert not PurgeRun.objects.exists()
    sweep(now=at(today, 4))
    assert PurgeRun.objects.filter(day=today, trigger="daily").count() == organisations + 1
    run = PurgeRun.objects.get(organisation=cast.owner)
    assert run.counts["comments"] == 1 and run.counts["contact_details"] == 1
    sweep(now=at(today, 5))
    assert PurgeRun.objects.count() == organisations + 1
    sweep(now=at(today + timedelta(days=1), 4))
    assert PurgeRun.objects.count() == 2 * (organisations + 1)
    assert set(
        PurgeRun.objects.get(organisation=cast.owner, day=today + timedelta(days=1)).counts.values()
    ) == {0}
    page = cast.client_for(cast.owner_admin).get("/privacy/leasewijs/retention/").content.decode()
    assert "comments: 1" in page and "contact details: 1" in page and "daily purge" in page


def test_the_cli_purges_or_counts(cast, history, capsys):
    call_command("privacy", "purge", "--dry-run", "--organisation", "leasewijs")
    out = capsys.readouterr().out
    assert out.startswith("leasewijs: would blank contact_details 1,") and "comments 1" in out
    assert not PurgeRun.objects.exists() and state("OUD")["comment"]
    call_command("privacy", "purge")
    out = capsys.readouterr().out
    assert "leasewijs: blanked contact_details 1," in out and "(no organisation): blanked" in out
    assert state("OUD")["comment"] == ""


def test_the_purge_blanks_names_licence_plates_and_their_search_keys_too(cast, history):
    from cxloop.customers.services import record_contact_details

    old = Customer.objects.get(key="OUD")
    record_contact_details(
        customer=old,
        organisation=cast.owner,
        actor=None,
        name="Oud Klant",
        licence_plate="XX-99-YY",
    )
    olivia = cast.client_for(cast.owner_admin)
    assert [
        r["contact"].customer.key for r in olivia.get("/customers/?q=XX99YY").context["found"]
    ] == ["OUD"]
    services.purge(organisation=cast.owner, now=history)
    contact = CustomerContact.objects.get(customer=old, organisation=cast.owner)
    assert (contact.name, contact.licence_plate, contact.phone_key, contact.plate_key) == (
        "",
        "",
        "",
        "",
    )
    for query in ("XX99YY", "Oud Klant", "+31611112222"):  # (the others share that number)
        found = olivia.get("/customers/", {"q": query}).context["found"]
        assert "OUD" not in [row["contact"].customer.key for row in found]


def test_the_purge_removes_an_answers_stored_vector_with_its_text(cast, history):
    AnalysedText.objects.update(vector=b"\x00" * 16, vector_method="e5")
    services.purge(organisation=cast.owner, now=history)
    blanked = AnalysedText.objects.filter(masked_text="")
    assert blanked.exists() and not blanked.exclude(vector=None).exists()
    assert not blanked.exclude(vector_method="").exists()
    # Recent answers keep theirs.
    assert AnalysedText.objects.exclude(masked_text="").exclude(vector=None).exists()
