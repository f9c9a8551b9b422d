"""Central coordination across the chain, through the API and the sweeper, as partners would use it."""

import importlib
from datetime import time, timedelta

import pytest
import time_machine
from django.apps import apps as django_apps
from django.test import Client
from django.utils import timezone

from cxloop.conftest import interaction_payload
from cxloop.customers.models import Customer
from cxloop.journeys.models import Touchpoint
from cxloop.messaging.models import OutboxMessage
from cxloop.messaging.services import as_sent
from cxloop.server.sweeper import sweep
from cxloop.surveys.models import (
    ContactPolicy,
    InactivityWait,
    Invitation,
    InvitationDecision,
    InvitationRule,
)
from cxloop.surveys.planning import decide_quiet_journeys
from cxloop.tests.test_loop import survey_path_from_outbox

pytestmark = pytest.mark.django_db


@pytest.fixture
def repair_shop(cast):
    """A third partner in the chain: the repair shop, with its own rule and an employee."""
    from cxloop.journeys.models import DataSharingAgreement
    from cxloop.orgs.models import Organisation
    from cxloop.orgs.services import create_api_key, create_employee, create_unit
    from cxloop.surveys.models import Question, Survey

    shop = Organisation.objects.create(chain=cast.chain, name="Van Dijk", slug="vandijk")
    DataSharingAgreement.objects.create(journey_type=cast.journey_type, organisation=shop)
    unit = create_unit(organisation=shop, name="Werkplaats", slug="werkplaats")
    create_employee(organisation=shop, unit=unit, code="W1", name="Wim Werkplaats")
    survey = Survey.objects.create(organisation=shop, name="Na reparatie")
    Question.objects.create(
        survey=survey, kind=Question.Kind.NPS, text_nl="Aanbevelen?", text_en="Recommend?"
    )
    InvitationRule.objects.create(organisation=shop, survey=survey, quiet_hours_for_email=False)
    Touchpoint.objects.create(
        journey_type=cast.journey_type, name="Reparatie", slug="reparatie", position=2
    )
    return create_api_key(organisation=shop, name="crm")[1]


# The database queue, as on a server: queued tasks wait there to be read by the test.
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def record_for_new_customers(organisation, moments: list) -> list:
    """One interaction per moment, each of its own customer in its own journey; recorded only
    (record_interactions: nothing is planned until the test plans it)."""
    from cxloop.journeys.services import InteractionInput, record_interactions

    return record_interactions(
        organisation=organisation,
        items=[
            InteractionInput(
                external_id=f"call-{n}",
                occurred_at=at,
                customer_key=f"K-{n}",
                journey_id=f"claim-{n}",
                journey_type="schade-melden",
                channel="telefoon",
                customer_email=f"k{n}@example.nl",
            )
            for n, at in enumerate(moments)
        ],
    )


def reasons(customer_key: str = "K-1") -> list[str]:
    return list(
        InvitationDecision.objects.filter(customer__key=customer_key)
        .order_by("decided_at", "pk")
        .values_list("reason", flat=True)
    )


def test_three_partners_in_one_journey_lead_to_one_invitation(cast, post_interaction, repair_shop):
    # The owner's rule for the journey type governs the journey: invite at its end.
    InvitationRule.objects.filter(organisation=cast.owner).update(
        journey_type=cast.journey_type, trigger=InvitationRule.Trigger.JOURNEY_END
    )
    post_interaction(interaction_payload("bel-1", employee="P1"), key=cast.partner_key)
    post_interaction(
        interaction_payload(
            "rep-1", employee="W1", touchpoint="reparatie", occurred_at="2026-11-21T10:00:00+01:00"
        ),
        key=repair_shop,
    )
    assert not Invitation.objects.exists()
    post_interaction(
        interaction_payload("lw-1", occurred_at="2026-11-22T10:00:00+01:00", journey_ended=True)
    )
    invitation = Invitation.objects.get()
    assert invitation.organisation == cast.owner
    assert invitation.interaction.external_id == "lw-1"
    assert reasons() == ["waiting", "waiting", "invited"]
    assert OutboxMessage.objects.filter(purpose="invitation").count() == 1


def test_without_an_owner_rule_the_first_partner_asks_and_the_others_do_not(
    cast, post_interaction, repair_shop
):
    post_interaction(interaction_payload("bel-1", employee="P1"), key=cast.partner_key)
    post_interaction(interaction_payload("rep-1", employee="W1"), key=repair_shop)
    post_interaction(interaction_payload("lw-1"))
    assert Invitation.objects.get().organisation == cast.partner
    assert reasons() == ["invited", "journey_asked", "journey_asked"]


def test_quarantine_holds_across_partners_and_journeys(cast, post_interaction):
    post_interaction(interaction_payload("bel-1", employee="P1"), key=cast.partner_key)
    with time_machine.travel(timezone.now() + timedelta(days=10)):
        post_interaction(interaction_payload("lw-2", journey_id="claim-2"))
    decision = InvitationDecision.objects.get(interaction__external_id="lw-2")
    assert decision.reason == "quarantine" and "last invitation" in decision.detail
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        post_interaction(interaction_payload("lw-3", journey_id="claim-3"))
    assert Invitation.objects.filter(interaction__external_id="lw-3").exists()


def test_the_cap_per_period(cast, post_interaction):
    ContactPolicy.objects.create(
        chain=cast.chain, quarantine_days=0, cap_count=2, cap_period_days=90
    )
    for day in range(3):
        with time_machine.travel(timezone.now() + timedelta(days=day)):
            post_interaction(interaction_payload(f"i-{day}", journey_id=f"claim-{day}"))
    assert reasons() == ["invited", "invited", "cap"]


def test_a_customer_with_an_open_complaint_case_is_not_asked(
    cast, post_interaction, client, django_capture_on_commit_callbacks
):
    post_interaction(interaction_payload("lw-1"))
    path = survey_path_from_outbox("klant@example.nl")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(path, {f"q{cast.nps_question.pk}": "2", "action": "submit"})
    ContactPolicy.objects.create(chain=cast.chain, quarantine_days=0)
    post_interaction(interaction_payload("lw-2", journey_id="claim-2"))
    assert reasons()[-1] == "open_complaint"


def test_the_opt_out_link_in_every_message_holds_for_every_partner(cast, post_interaction, client):
    post_interaction(interaction_payload("lw-1"))
    message = OutboxMessage.objects.get()
    sent = as_sent(message)
    opt_out_path = next(word for word in sent.text.split() if "/o/" in word).split(
        "127.0.0.1:8000"
    )[1]
    assert "/o/" in sent.html
    page = client.get(opt_out_path)
    assert page.status_code == 200
    assert Customer.objects.get().opted_out_at is None  # a link scanner's GET changes nothing
    assert client.post(opt_out_path).status_code == 200
    assert Customer.objects.get().opted_out_at is not None
    ContactPolicy.objects.create(chain=cast.chain, quarantine_days=0)
    post_interaction(
        interaction_payload("bel-2", journey_id="claim-2", employee="P1"), key=cast.partner_key
    )
    assert reasons()[-1] == "opted_out"
    assert client.get("/o/forged-token/").status_code == 404


def test_opt_out_through_the_api_cancels_what_is_already_scheduled(cast, post_interaction):
    InvitationRule.objects.filter(organisation=cast.owner).update(delay_minutes=120)
    post_interaction(interaction_payload("lw-1", occurred_at=timezone.now().isoformat()))
    assert Invitation.objects.get().status == Invitation.Status.SCHEDULED
    response = Client().post(
        "/api/customers/K-1/opt-out", HTTP_AUTHORIZATION=f"Bearer {cast.partner_key}"
    )
    assert response.status_code == 200
    assert Invitation.objects.get().status == Invitation.Status.CANCELLED
    with time_machine.travel(timezone.now() + timedelta(hours=3)):
        sweep()
    assert not OutboxMessage.objects.exists()
    other_chain = Client().post(
        "/api/customers/K-1/opt-out", HTTP_AUTHORIZATION=f"Bearer {cast.outsider_key}"
    )
    assert other_chain.status_code == 404


def test_a_touchpoint_rule_asks_only_after_that_touchpoint(cast, post_interaction):
    other = Touchpoint.objects.create(
        journey_type=cast.journey_type, name="Afspraak", slug="afspraak", position=2
    )
    InvitationRule.objects.filter(organisation=cast.owner).update(
        journey_type=cast.journey_type, touchpoint=other
    )
    post_interaction(interaction_payload("lw-1"))
    post_interaction(interaction_payload("lw-2", touchpoint="afspraak"))
    assert reasons() == ["not_at_touchpoint", "invited"]


def test_sampling_zero_percent_asks_nobody(cast, post_interaction):
    InvitationRule.objects.filter(organisation=cast.owner).update(sampling_percent=0)
    post_interaction(interaction_payload("lw-1"))
    assert reasons() == ["not_sampled"] and not Invitation.objects.exists()


def test_after_hours_without_a_new_interaction(cast, post_interaction):
    InvitationRule.objects.filter(organisation=cast.owner).update(
        trigger=InvitationRule.Trigger.INACTIVITY, inactivity_hours=48
    )
    start = timezone.now()
    post_interaction(interaction_payload("lw-1", occurred_at=start.isoformat()))
    with time_machine.travel(start + timedelta(hours=24)):
        post_interaction(interaction_payload("lw-2", occurred_at=timezone.now().isoformat()))
    with time_machine.travel(start + timedelta(hours=49)):
        sweep()
        assert not Invitation.objects.exists()  # lw-2 reset the clock
    with time_machine.travel(start + timedelta(hours=73)):
        sweep()
        sweep()
    invitation = Invitation.objects.get()
    assert (
        invitation.interaction.external_id == "lw-2" and invitation.status == Invitation.Status.SENT
    )


def waits(now) -> list[str]:
    """External ids of the interactions whose wait for a quiet journey is over at `now`."""
    return list(
        InactivityWait.objects.filter(due_at__lte=now)
        .order_by("interaction_id")
        .values_list("interaction__external_id", flat=True)
    )


def test_a_contact_that_a_later_one_superseded_leaves_the_sweepers_list(cast, post_interaction):
    InvitationRule.objects.filter(organisation=cast.owner).update(
        trigger=InvitationRule.Trigger.INACTIVITY, inactivity_hours=48
    )
    start = timezone.now()
    post_interaction(interaction_payload("lw-1", occurred_at=start.isoformat()))
    with time_machine.travel(start + timedelta(hours=24)):
        post_interaction(interaction_payload("lw-2", occurred_at=timezone.now().isoformat()))
    assert waits(start + timedelta(hours=49)) == ["lw-1"]
    with time_machine.travel(start + timedelta(hours=49)):
        sweep()
    # lw-1's wait is over and lw-2 took its place: lw-1 is not checked again at every sweep.
    assert waits(start + timedelta(hours=73)) == ["lw-2"]
    with time_machine.travel(start + timedelta(hours=73)):
        sweep()
    assert waits(start + timedelta(days=30)) == []
    assert reasons() == ["waiting", "waiting", "invited"]


def test_superseded_waits_do_not_keep_the_sweeper_from_a_due_one(cast, post_interaction):
    """The sweeper checks a limited number of waits at a time; a wait it has checked leaves the
    list, so one that a later contact superseded cannot take a place in every sweep."""
    InvitationRule.objects.filter(organisation=cast.owner).update(
        trigger=InvitationRule.Trigger.INACTIVITY, inactivity_hours=48
    )
    start = timezone.now()
    post_interaction(interaction_payload("lw-1", occurred_at=start.isoformat()))
    with time_machine.travel(start + timedelta(hours=1)):
        post_interaction(interaction_payload("lw-2", occurred_at=timezone.now().isoformat()))
    with time_machine.travel(start + timedelta(hours=2)):
        post_interaction(
            interaction_payload(
                "lw-3",
                occurred_at=timezone.now().isoformat(),
                customer={"key": "K-2", "email": "ander@example.nl"},
                journey_id="claim-2",
            )
        )
    later = start + timedelta(hours=60)
    for _ in range(3):  # three sweeps that may each take one wait
        decide_quiet_journeys(now=later, limit=1)
    assert sorted(Invitation.objects.values_list("interaction__external_id", flat=True)) == [
        "lw-2",
        "lw-3",
    ]
    assert waits(later) == []


def test_one_sweep_decides_every_quiet_journey_in_one_batch(cast, post_interaction):
    InvitationRule.objects.filter(organisation=cast.owner).update(
        trigger=InvitationRule.Trigger.INACTIVITY, inactivity_hours=48
    )
    start = timezone.now()
    for n in range(5):
        post_interaction(
            interaction_payload(
                f"lw-{n}",
                occurred_at=start.isoformat(),
                customer={"key": f"K-{n}", "email": f"k{n}@example.nl"},
                journey_id=f"claim-{n}",
            )
        )
    assert decide_quiet_journeys(now=start + timedelta(hours=47)) == []
    decided = decide_quiet_journeys(now=start + timedelta(hours=49))
    assert sorted(d.outcome for d in decided) == ["invited"] * 5
    assert Invitation.objects.count() == 5 and waits(start + timedelta(days=30)) == []


@pytest.mark.django_db(transaction=True)
def test_two_sweepers_at_once_take_different_waits(cast):
    import threading

    from django.db import connection, transaction

    from cxloop.surveys.planning import plan_invitations

    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL for a second worker holding a row; runs in the PostgreSQL pass (CXLOOP_TEST_POSTGRES)"
        )
    InvitationRule.objects.filter(organisation=cast.owner).update(
        trigger=InvitationRule.Trigger.INACTIVITY, inactivity_hours=48
    )
    start = timezone.now()
    recorded = record_for_new_customers(cast.owner, [start, start])
    plan_invitations(interaction_ids=[r.interaction.pk for r in recorded], now=start)
    held, first = recorded[0].interaction.pk, recorded[1].interaction.pk
    holding, release = threading.Event(), threading.Event()

    def other_sweeper() -> None:  # takes the first wait and holds it, as a sweep in progress
        with transaction.atomic():
            InactivityWait.objects.select_for_update().get(interaction_id=held)
            holding.set()
            release.wait(timeout=30)
        connection.close()

    thread = threading.Thread(target=other_sweeper)
    thread.start()
    try:
        assert holding.wait(timeout=30)
        later = start + timedelta(hours=49)
        assert [d.interaction_id for d in decide_quiet_journeys(now=later)] == [first]
    finally:
        release.set()
        thread.join()
    assert [d.interaction_id for d in decide_quiet_journeys(now=later)] == [held]


@pytest.mark.django_db(transaction=True)
def test_invitations_after_a_delay_are_sent_by_one_task_per_minute(cast):
    """A delay after each contact gives every invitation its own send time; the sending tasks
    group them by minute, and none runs before the send times of its invitations."""
    from django.test import override_settings
    from django_tasks_db.models import DBTaskResult

    from cxloop.surveys.planning import plan_invitations

    InvitationRule.objects.filter(organisation=cast.owner).update(delay_minutes=60)
    minute = timezone.now().replace(second=0, microsecond=0) - timedelta(minutes=10)
    with override_settings(TASKS=DATABASE_QUEUE):
        recorded = record_for_new_customers(
            cast.owner, [minute + timedelta(seconds=seconds) for seconds in (0, 20, 40, 60, 80)]
        )
        plan_invitations(interaction_ids=[r.interaction.pk for r in recorded])
        tasks = list(DBTaskResult.objects.filter(task_path__endswith="send_invitations_task"))
    send_after = dict(Invitation.objects.values_list("pk", "send_after"))
    assert len(send_after) == 5
    # 60, 60:20, 60:40, 61:00 and 61:20 minutes after the first contact: three minutes to send in.
    assert sorted(task.run_after - minute for task in tasks) == [
        timedelta(minutes=60),
        timedelta(minutes=61),
        timedelta(minutes=62),
    ]
    sent_by = {pk: task.run_after for task in tasks for pk in task.args_kwargs["args"][0]}
    assert sorted(sent_by) == sorted(send_after)
    assert all(
        timedelta(0) <= sent_by[pk] - at < timedelta(minutes=1) for pk, at in send_after.items()
    )


def test_a_longer_quiet_period_set_while_waiting_holds_the_wait(cast, post_interaction):
    rule = InvitationRule.objects.get(organisation=cast.owner)
    rule.trigger, rule.inactivity_hours = InvitationRule.Trigger.INACTIVITY, 48
    rule.save()
    start = timezone.now()
    post_interaction(interaction_payload("lw-1", occurred_at=start.isoformat()))
    InvitationRule.objects.filter(pk=rule.pk).update(inactivity_hours=72)
    with time_machine.travel(start + timedelta(hours=49)):
        sweep()
    assert not Invitation.objects.exists()
    assert waits(start + timedelta(hours=49)) == [] and waits(start + timedelta(hours=73)) == [
        "lw-1"
    ]
    with time_machine.travel(start + timedelta(hours=73)):
        sweep()
    assert Invitation.objects.get().interaction.external_id == "lw-1"


def test_the_migration_lists_the_interactions_still_waiting(cast, post_interaction):
    InvitationRule.objects.filter(organisation=cast.owner).update(
        trigger=InvitationRule.Trigger.INACTIVITY, inactivity_hours=48
    )
    start = timezone.now()
    post_interaction(interaction_payload("lw-1", occurred_at=start.isoformat()))
    post_interaction(
        interaction_payload(
            "lw-2", customer={"key": "K-2", "email": "ander@example.nl"}, journey_id="claim-2"
        )
    )
    with time_machine.travel(start + timedelta(hours=49)):
        sweep()  # both invited: neither waits any more
    with time_machine.travel(start + timedelta(hours=50)):
        post_interaction(interaction_payload("lw-3", occurred_at=timezone.now().isoformat()))
    InactivityWait.objects.all().delete()  # as before the migration: only the decisions
    migration = importlib.import_module("cxloop.surveys.migrations.0010_inactivity_waits")
    migration.list_the_waits_of_today(django_apps, None)
    (wait,) = InactivityWait.objects.all()
    assert wait.interaction.external_id == "lw-3"
    assert wait.due_at == wait.interaction.occurred_at + timedelta(hours=48)


def test_sms_waits_for_the_end_of_the_quiet_hours(cast, post_interaction):
    InvitationRule.objects.filter(organisation=cast.owner).update(channel="sms")
    late_evening = timezone.datetime(2026, 11, 23, 23, 30, tzinfo=timezone.get_current_timezone())
    with time_machine.travel(late_evening):
        post_interaction(
            interaction_payload(
                "lw-1",
                occurred_at=late_evening.isoformat(),
                customer={"key": "K-1", "phone": "+31612345678"},
            )
        )
        assert Invitation.objects.get().status == Invitation.Status.SCHEDULED
        assert not OutboxMessage.objects.exists()
    with time_machine.travel(late_evening.replace(hour=7, minute=59) + timedelta(days=1)):
        sweep()
        assert not OutboxMessage.objects.exists()
    with time_machine.travel(late_evening.replace(hour=8, minute=1) + timedelta(days=1)):
        sweep()
    sms = OutboxMessage.objects.get()
    assert sms.channel == "sms" and sms.recipient == "+31612345678"
    assert "/s/" in as_sent(sms).text and "/o/" in as_sent(sms).text
    assert len(as_sent(sms).text) < 320


def test_a_new_rule_keeps_quiet_hours_for_email_too(cast, post_interaction):
    """The default rule holds an e-mail asked for at 22:30 until 08:00, as the planner decides it."""
    InvitationRule.objects.filter(organisation=cast.owner).delete()
    InvitationRule.objects.create(organisation=cast.owner, survey=cast.survey)
    late_evening = timezone.datetime(2026, 11, 23, 22, 30, tzinfo=timezone.get_current_timezone())
    with time_machine.travel(late_evening):
        post_interaction(interaction_payload("lw-1", occurred_at=late_evening.isoformat()))
        invitation = Invitation.objects.get()
        assert invitation.channel == "email" and invitation.status == Invitation.Status.SCHEDULED
        assert timezone.localtime(invitation.send_after).time() == time(8, 0)
        assert not OutboxMessage.objects.exists()
    with time_machine.travel(late_evening.replace(hour=8, minute=1) + timedelta(days=1)):
        sweep()
    assert OutboxMessage.objects.get().recipient == "klant@example.nl"


def test_email_falls_back_to_sms_when_there_is_no_address(cast, post_interaction):
    InvitationRule.objects.filter(organisation=cast.owner).update(
        fallback_channel="sms", quiet_start="00:00", quiet_end="00:00"
    )
    post_interaction(interaction_payload("lw-1", customer={"key": "K-9", "phone": "+31611111111"}))
    assert Invitation.objects.get().channel == "sms"


def test_one_reminder_after_n_days_with_the_same_link(
    cast, post_interaction, client, django_capture_on_commit_callbacks
):
    InvitationRule.objects.filter(organisation=cast.owner).update(reminder_after_days=3)
    post_interaction(interaction_payload("lw-1"))
    path = survey_path_from_outbox("klant@example.nl")
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        assert sweep().reminders_sent == 0
    with time_machine.travel(timezone.now() + timedelta(days=3, minutes=1)):
        assert sweep().reminders_sent == 1
        assert sweep().reminders_sent == 0
    reminder = OutboxMessage.objects.get(purpose="reminder")
    assert path in as_sent(reminder).text
    assert client.get(path).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_sent_batch_queues_one_reminder_task_per_minute(cast):
    from django.test import override_settings
    from django_tasks_db.models import DBTaskResult

    from cxloop.surveys.planning import plan_invitations
    from cxloop.surveys.services import send_invitations
    from cxloop.surveys.tasks import send_reminders_task

    InvitationRule.objects.filter(organisation=cast.owner).update(reminder_after_days=3)
    with override_settings(TASKS=DATABASE_QUEUE):
        recorded = record_for_new_customers(cast.owner, [timezone.now()] * 5)
        plan_invitations(interaction_ids=[r.interaction.pk for r in recorded])
        assert (
            send_invitations(invitation_ids=list(Invitation.objects.values_list("pk", flat=True)))
            == 5
        )
        (task,) = DBTaskResult.objects.filter(task_path__endswith="send_reminders_task")
    due = {invitation.pk: invitation.reminder_due_at for invitation in Invitation.objects.all()}
    assert sorted(task.args_kwargs["args"][0]) == sorted(due)
    assert all(timedelta(0) <= task.run_after - at < timedelta(minutes=1) for at in due.values())
    with time_machine.travel(task.run_after):
        assert send_reminders_task.call(task.args_kwargs["args"][0]) == 5
        assert send_reminders_task.call(task.args_kwargs["args"][0]) == 0  # once
    assert OutboxMessage.objects.filter(purpose="reminder").count() == 5


def test_no_reminder_for_a_customer_who_answered(
    cast, post_interaction, client, django_capture_on_commit_callbacks
):
    InvitationRule.objects.filter(organisation=cast.owner).update(reminder_after_days=3)
    post_interaction(interaction_payload("lw-1"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            survey_path_from_outbox("klant@example.nl"),
            {f"q{cast.nps_question.pk}": "9", "action": "submit"},
        )
    with time_machine.travel(timezone.now() + timedelta(days=4)):
        assert sweep().reminders_sent == 0


def test_an_invitation_expires(cast, post_interaction, client):
    post_interaction(interaction_payload("lw-1"))
    path = survey_path_from_outbox("klant@example.nl")
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        assert sweep().invitations_expired == 1
        assert client.get(path).status_code == 410
    assert Invitation.objects.get().status == Invitation.Status.EXPIRED


def test_every_decision_is_kept_with_a_reason_people_can_read(cast, post_interaction):
    from django.utils import translation

    post_interaction(interaction_payload("lw-1"))
    post_interaction(interaction_payload("lw-2"))
    decisions = list(InvitationDecision.objects.order_by("pk"))
    assert [d.outcome for d in decisions] == ["invited", "not_invited"]
    with translation.override("en"):
        assert [d.get_reason_display() for d in decisions] == [
            "all rules allow it",
            "this journey already has an invitation",
        ]
    with translation.override("nl"):
        assert decisions[1].get_reason_display() != "this journey already has an invitation"


def test_a_rule_whose_survey_is_still_a_draft_invites_nobody(cast, post_interaction):
    from cxloop.surveys.models import Survey

    Survey.objects.filter(pk=cast.survey.pk).update(status=Survey.Status.DRAFT)
    post_interaction(interaction_payload("lw-1"))
    assert not Invitation.objects.exists()
    decision = InvitationDecision.objects.get()
    assert decision.reason == "no_rule" and "not published" in decision.detail


@pytest.mark.django_db(transaction=True)
def test_two_workers_planning_the_same_interactions_decide_once(cast):
    import threading

    from django.db import connection

    from cxloop.journeys.services import InteractionInput, record_interactions
    from cxloop.surveys.planning import plan_invitations

    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL for truly parallel workers; runs in the PostgreSQL pass (CXLOOP_TEST_POSTGRES)"
        )
    items = [
        InteractionInput(
            external_id=f"i-{n}",
            occurred_at=timezone.now(),
            customer_key=f"K-{n % 40}",
            journey_id=f"j-{n % 40}-{n % 3}",
            journey_type="schade-melden",
            channel="telefoon",
            customer_email=f"k{n % 40}@example.nl",
        )
        for n in range(120)
    ]
    ids = [
        r.interaction.pk for r in record_interactions(organisation=cast.owner, items=items)
    ]  # no commit hooks run here
    start = threading.Barrier(2)

    def worker() -> None:
        start.wait()
        plan_invitations(interaction_ids=ids)
        connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert InvitationDecision.objects.count() == 120
    assert (
        Invitation.objects.count() == 40
    )  # one per customer: the quarantine holds within the batch


def _recorded(cast, items: list[tuple[str, str, str, str]]) -> list[int]:
    """Record interactions (external id, customer key, journey, occurred at) without planning them."""
    from datetime import datetime

    from cxloop.journeys.services import InteractionInput, record_interactions

    inputs = [
        InteractionInput(
            external_id=external_id,
            occurred_at=datetime.fromisoformat(at),
            customer_key=key,
            journey_id=journey,
            journey_type="schade-melden",
            channel="telefoon",
            customer_email=f"{key.lower()}@example.nl",
        )
        for external_id, key, journey, at in items
    ]
    return [r.interaction.pk for r in record_interactions(organisation=cast.owner, items=inputs)]


def _decided(interaction_ids: list[int]) -> dict[str, tuple[str, str]]:
    return {
        d.interaction.external_id: (d.outcome, d.reason)
        for d in InvitationDecision.objects.filter(interaction_id__in=interaction_ids)
        .select_related("interaction")
        .order_by("pk")
    }


def test_one_batch_decides_in_time_order_and_each_decision_sees_the_ones_before(cast):
    from cxloop.surveys.planning import plan_invitations

    # Listed (and numbered) out of time order: the earliest interaction is invited, the later
    # ones of the same customer see that invitation within the same batch.
    ids = _recorded(
        cast,
        [
            ("late-other-journey", "K-1", "claim-2", "2026-11-20T12:00:00+01:00"),
            ("late-same-journey", "K-1", "claim-1", "2026-11-20T11:00:00+01:00"),
            ("first", "K-1", "claim-1", "2026-11-20T10:00:00+01:00"),
            ("someone-else", "K-2", "claim-3", "2026-11-20T10:30:00+01:00"),
        ],
    )
    decided = plan_invitations(interaction_ids=ids)
    assert len(decided) == 4
    assert _decided(ids) == {
        "first": ("invited", "invited"),
        "late-same-journey": ("not_invited", "journey_asked"),
        "late-other-journey": ("not_invited", "quarantine"),
        "someone-else": ("invited", "invited"),
    }
    invited = Invitation.objects.order_by("interaction__occurred_at")
    assert [i.interaction.external_id for i in invited] == ["first", "someone-else"]
    quarantined = InvitationDecision.objects.get(interaction__external_id="late-other-journey")
    assert quarantined.detail.startswith("last invitation ")


def test_planning_the_same_interactions_again_changes_nothing(cast):
    from cxloop.surveys.planning import plan_invitations

    InvitationRule.objects.filter(organisation=cast.owner).update(
        trigger=InvitationRule.Trigger.JOURNEY_END
    )
    ids = _recorded(
        cast,
        [
            ("a", "K-1", "claim-1", "2026-11-20T10:00:00+01:00"),
            ("b", "K-2", "claim-2", "2026-11-20T10:30:00+01:00"),
        ],
    )
    plan_invitations(interaction_ids=ids)
    before = list(InvitationDecision.objects.order_by("pk").values_list("pk", "reason"))
    assert [reason for _, reason in before] == ["waiting", "waiting"]

    assert plan_invitations(interaction_ids=ids) == []
    assert list(InvitationDecision.objects.order_by("pk").values_list("pk", "reason")) == before
    assert not Invitation.objects.exists()


def test_a_delayed_rule_sends_after_the_delay_and_out_of_the_quiet_hours(cast):
    from datetime import UTC, datetime

    from cxloop.surveys.planning import plan_invitations

    InvitationRule.objects.filter(organisation=cast.owner).update(
        delay_minutes=90, quiet_hours_for_email=True, valid_days=7
    )
    ids = _recorded(
        cast,
        [
            ("evening", "K-1", "claim-1", "2026-11-20T20:00:00+01:00"),
            ("morning", "K-2", "claim-2", "2026-11-20T09:00:00+01:00"),
        ],
    )
    plan_invitations(interaction_ids=ids, now=datetime(2026, 11, 20, 7, 0, tzinfo=UTC))
    sent = {
        i.interaction.external_id: (i.send_after, i.expires_at - i.send_after)
        for i in Invitation.objects.select_related("interaction")
    }
    # 21:30 falls in the quiet hours (21:00-08:00 Amsterdam): the next morning at 08:00.
    assert sent["evening"] == (datetime(2026, 11, 21, 7, 0, tzinfo=UTC), timedelta(days=7))
    assert sent["morning"] == (datetime(2026, 11, 20, 9, 30, tzinfo=UTC), timedelta(days=7))
    assert InvitationDecision.objects.get(interaction__external_id="morning").detail == (
        "email at 2026-11-20 09:30 UTC"
    )


@pytest.mark.django_db(transaction=True)
def test_two_workers_planning_overlapping_batches_invite_each_customer_once(cast):
    import threading

    from django.db import connection

    from cxloop.surveys.planning import plan_invitations

    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL for truly parallel workers; runs in the PostgreSQL pass (CXLOOP_TEST_POSTGRES)"
        )
    ids = _recorded(
        cast,
        [
            (f"i-{n}", f"K-{n % 30}", f"j-{n % 30}-{n % 4}", f"2026-11-20T10:{n % 60:02d}:00+01:00")
            for n in range(120)
        ],
    )
    batches = [ids[:80], ids[40:]]  # the middle third is in both
    start = threading.Barrier(2)

    def worker(batch: list[int]) -> None:
        start.wait()
        plan_invitations(interaction_ids=batch)
        connection.close()

    threads = [threading.Thread(target=worker, args=(batch,)) for batch in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert InvitationDecision.objects.count() == 120
    assert Invitation.objects.count() == 30
    assert Invitation.objects.values("customer").distinct().count() == 30


def test_a_deleted_journey_takes_its_decisions_and_a_deleted_rule_leaves_them(
    cast, post_interaction
):
    from cxloop.journeys.models import Journey

    post_interaction(interaction_payload("lw-1"))
    post_interaction(interaction_payload("lw-2"))  # the same journey: already asked
    assert reasons() == ["invited", "journey_asked"]
    rule = InvitationRule.objects.get(organisation=cast.owner)
    rule.delete()
    # The reason stands; only the reference to the rule is gone.
    assert reasons() == ["invited", "journey_asked"]
    assert not InvitationDecision.objects.filter(rule__isnull=False).exists()

    Journey.objects.filter(customer__key="K-1").delete()
    assert not InvitationDecision.objects.filter(customer__key="K-1").exists()
    assert not Invitation.objects.filter(customer__key="K-1").exists()
