"""A case about a partner's employee, through the whole chain: the partner handles it, the owner follows it.

Pim (Belcentrum) takes the last call in Leasewijs's journey "schade melden"; Leasewijs's rule for
that journey type invites the customer at the journey's end, about that call, at the address
Leasewijs has. The detractor's case is Belcentrum's: its team lead gets it,
its admin Paula works it, escalation climbs Belcentrum's hierarchy by Belcentrum's business hours,
its KPIs count it, and Leasewijs's journey owner reads it as the agreement allows.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.test import override_settings

from cxloop.conftest import PASSWORD, interaction_payload
from cxloop.followup import services
from cxloop.followup.models import (
    CaseEvent,
    FollowUpCase,
    FollowUpQueue,
    FollowUpRule,
    FollowUpSettings,
    RootCause,
    SlaPolicy,
)
from cxloop.journeys.models import DataSharingAgreement
from cxloop.lib.testing.cases import case_for
from cxloop.lib.testing.responses import make_response
from cxloop.lib.testing.smtp import Mailbox, smtp_server
from cxloop.messaging.models import OutboxMessage
from cxloop.orgs.models import Role, Unit
from cxloop.orgs.services import create_employee, create_unit, grant_role, set_unit_lead
from cxloop.responses.models import Response
from cxloop.server.sweeper import sweep
from cxloop.surveys.models import InvitationRule
from cxloop.tests.test_loop import survey_path_from_outbox

pytestmark = pytest.mark.django_db
AMS = ZoneInfo("Europe/Amsterdam")
Kind = CaseEvent.Kind
CALL_CENTRE_HOURS = {str(day): [["08:00", "20:00"]] for day in range(5)}


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in the week of Monday 23 November 2026, Amsterdam time."""
    return datetime(2026, 11, day, hour, minute, tzinfo=AMS)


@pytest.fixture
def chain(cast):
    """Belcentrum's hierarchy and people, Leasewijs's rule governing the journey type, and its journey owner.

    Belcentrum: department Klantcontact (head Karel) above team Inbound (lead Tessa, Pim's team),
    admin Paula; open 08:00–20:00 on weekdays, a call centre's hours.
    """
    department = create_unit(
        organisation=cast.partner,
        name="Klantcontact",
        slug="klantcontact",
        kind=Unit.Kind.DEPARTMENT,
    )
    inbound = cast.partner_agent.unit
    # No service moves a unit yet: put Inbound under the department as an admin would have built it.
    Unit.objects.filter(pk=inbound.pk).update(
        parent=department, path=f"{department.path}{inbound.pk}/"
    )
    inbound.refresh_from_db()
    karel = create_employee(
        organisation=cast.partner,
        unit=department,
        code="K1",
        name="Karel Klantcontact",
        email="karel@belcentrum.nl",
    )
    set_unit_lead(unit=department, lead=karel)
    tessa = create_employee(
        organisation=cast.partner,
        unit=inbound,
        code="T1",
        name="Tessa Teamlead",
        email="tessa@belcentrum.nl",
        username="tessa",
        password=PASSWORD,
    )
    grant_role(user=tessa.user, organisation=cast.partner, role=Role.TEAM_LEAD, unit=inbound)
    set_unit_lead(unit=inbound, lead=tessa)
    FollowUpSettings.objects.create(organisation=cast.partner, opening_hours=CALL_CENTRE_HOURS)
    get_user_model().objects.filter(pk=cast.partner_admin.pk).update(email="paula@belcentrum.nl")
    get_user_model().objects.filter(pk=cast.owner_admin.pk).update(email="olivia@leasewijs.nl")
    InvitationRule.objects.filter(organisation=cast.owner).update(
        journey_type=cast.journey_type, trigger=InvitationRule.Trigger.JOURNEY_END
    )
    jolien = get_user_model().objects.create_user(
        username="jolien", password=PASSWORD, email="jolien@leasewijs.nl"
    )
    grant_role(user=jolien, organisation=cast.owner, role=Role.JOURNEY_OWNER)
    cast.partner_agent.refresh_from_db()
    return {"inbound": inbound, "karel": karel, "tessa": tessa, "jolien": jolien}


def pims_call(occurred_at: datetime) -> dict:
    """Pim's call that ends the journey; Belcentrum's CRM has its own address and number of the customer."""
    return interaction_payload(
        "bel-1",
        employee="P1",
        occurred_at=occurred_at.isoformat(),
        customer={"key": "K-1", "email": "k.klant@example.nl", "phone": "+31612345678"},
        journey_ended=True,
    )


def delivered(mailbox: Mailbox, purpose: str) -> list[str]:
    """The recipients of the mails of one purpose that reached the SMTP server, in order."""
    ids = set(OutboxMessage.objects.filter(purpose=purpose).values_list("message_id", flat=True))
    return [m["To"] for m in mailbox.messages if m["Message-ID"] in ids]


def test_a_case_about_pims_call_goes_through_belcentrum_from_opening_to_the_kpis(
    cast, chain, post_interaction, client, django_capture_on_commit_callbacks
):
    smtp = {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend"}
    with (
        smtp_server() as mailbox,
        override_settings(EMAIL_HOST=mailbox.host, EMAIL_PORT=mailbox.port, **smtp),
    ):
        # 1. Monday: Anouk takes the claim at Leasewijs; at 15:50 Pim's call at Belcentrum ends the journey,
        #    and Leasewijs's rule invites the customer about it, at Leasewijs's own address.
        with time_machine.travel(at(23, 16), tick=False):
            claim = post_interaction(interaction_payload("lw-1", occurred_at=at(23, 9).isoformat()))
            call = post_interaction(pims_call(at(23, 15, 50)), key=cast.partner_key)
            assert (claim.status_code, call.status_code) == (201, 201)
            assert delivered(mailbox, "invitation") == ["klant@example.nl"]
            path = survey_path_from_outbox("klant@example.nl")
            with django_capture_on_commit_callbacks(execute=True):
                answered = client.post(
                    path,
                    {
                        f"q{cast.nps_question.pk}": "2",
                        f"q{cast.open_question.pk}": "Drie keer doorverbonden en niemand wist het.",
                        "action": "submit",
                    },
                )
            assert answered.status_code == 302

        # 2. The response is Leasewijs's (its rule asked), the case is Belcentrum's (its contact).
        case = FollowUpCase.objects.select_related("response").get()
        assert (case.response.organisation, case.response.employee) == (
            cast.owner,
            cast.partner_agent,
        )
        assert (case.organisation, case.unit, case.assignee) == (
            cast.partner,
            chain["inbound"],
            chain["tessa"],
        )
        # Due by Belcentrum's hours (08:00–20:00): 4 hours on Monday, 4 on Tuesday.
        assert case.first_contact_due_at == at(24, 12)
        assert delivered(mailbox, "case_assigned") == ["tessa@belcentrum.nl"]

        # 3. Paula, Belcentrum's admin, finds it in her inbox and works it; Leasewijs's admin does not see it.
        paula = cast.client_for(cast.partner_admin)
        assert case.pk in [c.pk for c in paula.get("/cases/?show=open").context["cases"]]
        page = paula.get(f"/cases/{case.pk}/")
        assert page.status_code == 200 and page.context["can_work"]
        assert "+31612345678" in page.content.decode()  # the number Belcentrum has, to call back
        assert "Pim Partner" in page.content.decode()
        with time_machine.travel(at(23, 17), tick=False):
            note = paula.post(f"/cases/{case.pk}/note/", {"note": "Tessa belt morgenochtend."})
        assert note.status_code == 302
        olivia = cast.client_for(cast.owner_admin)
        assert olivia.get(f"/cases/{case.pk}/").status_code == 404
        assert case.pk not in [c.pk for c in olivia.get("/cases/?show=all").context["cases"]]

        # 4. Nobody called by Tuesday 12:00: escalation climbs Belcentrum's hierarchy, a layer per working day.
        for moment in (at(24, 12, 1), at(24, 19), at(25, 12, 1), at(26, 12, 1)):
            with (
                time_machine.travel(moment, tick=False),
                django_capture_on_commit_callbacks(execute=True),
            ):
                sweep()
        case.refresh_from_db()
        assert case.escalation_level == 2
        escalations = list(case.events.filter(kind=Kind.ESCALATED).values_list("data", flat=True))
        assert escalations == [
            {"level": 1, "to": ["karel@belcentrum.nl"]},
            {"level": 2, "to": ["paula@belcentrum.nl"]},
        ]
        assert delivered(mailbox, "case_escalated") == [
            "karel@belcentrum.nl",
            "paula@belcentrum.nl",
        ]

        # 5. Paula calls, resolves with Belcentrum's own root cause, tells the customer and closes.
        wachtrij = RootCause.objects.get(organisation=cast.partner)
        with (
            time_machine.travel(at(26, 14), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            called = paula.post(
                f"/cases/{case.pk}/contact/", {"channel": "phone", "reached": "yes"}
            )
            assert called.status_code == 302
            resolved = paula.post(
                f"/cases/{case.pk}/resolve/",
                {"root_cause": wachtrij.pk, "action_taken": "Doorverbinden herzien"},
            )
            assert resolved.status_code == 302
            informed = paula.post(
                f"/cases/{case.pk}/inform/", {"subject": "Wat we deden", "body": "Herzien."}
            )
            assert informed.status_code == 302
            assert paula.post(f"/cases/{case.pk}/close/", {"note": ""}).status_code == 302
    # Told by Belcentrum, at the address Belcentrum has.
    assert delivered(mailbox, "customer_informed") == ["k.klant@example.nl"]
    case.refresh_from_db()
    assert case.status == FollowUpCase.Status.CLOSED and case.root_cause == wachtrij
    assert list(case.events.values_list("kind", flat=True)) == [
        Kind.OPENED,
        Kind.ASSIGNED,
        Kind.NOTE,
        Kind.ESCALATED,
        Kind.ESCALATED,
        Kind.CONTACT_ATTEMPT,
        Kind.RESOLVED,
        Kind.CUSTOMER_INFORMED,
        Kind.CLOSED,
    ]

    # 6. The closed-loop KPIs count it for Belcentrum, not for Leasewijs; the chain's numbers include it.
    def kpis(user, scope: str):
        with time_machine.travel(at(27, 9), tick=False):
            page = cast.client_for(user).get("/cases/kpis/", {"scope": scope, "days": 30})
        assert page.status_code == 200
        return page.context["kpis"]

    belcentrum = kpis(cast.partner_admin, f"organisation-{cast.partner.pk}")
    assert (
        belcentrum.cases,
        belcentrum.closed_loop.numerator,
        belcentrum.closed_loop.denominator,
    ) == (1, 1, 1)
    assert (
        belcentrum.first_contact_in_sla.numerator,
        belcentrum.first_contact_in_sla.denominator,
    ) == (0, 1)
    assert [row.root_cause for row in belcentrum.pareto] == ["Wachtrij belcentrum"]
    leasewijs = kpis(cast.owner_admin, f"organisation-{cast.owner.pk}")
    assert (leasewijs.cases, leasewijs.closed_loop.denominator) == (0, 0)
    chain_numbers = kpis(chain["jolien"], f"chain-{cast.owner.pk}")
    assert (chain_numbers.cases, chain_numbers.closed_loop.numerator) == (1, 1)

    # 7. Leasewijs's journey owner reads it (the agreement's default) without the partner's details or steps.
    jolien = cast.client_for(chain["jolien"])
    page = jolien.get(f"/cases/{case.pk}/")
    text = page.content.decode()
    assert page.status_code == 200 and not page.context["can_work"]
    # The timeline says what was done.
    assert "Doorverbinden herzien" in text and "Wachtrij belcentrum" in text
    assert "+31612345678" not in text and "k.klant@example.nl" not in text
    assert "Pim Partner" not in text
    assert 'action="/cases/' not in text  # no step forms
    reopen = jolien.post(f"/cases/{case.pk}/reopen/", {"note": "Klant belde terug"})
    assert reopen.status_code == 404

    # ... and does not see it at all once the agreement says so; the chain's numbers still count it.
    DataSharingAgreement.objects.filter(organisation=cast.partner).update(
        owner_case_access=DataSharingAgreement.CaseAccess.NONE
    )
    assert jolien.get(f"/cases/{case.pk}/").status_code == 404
    assert case.pk not in [c.pk for c in jolien.get("/cases/?show=all").context["cases"]]
    assert kpis(chain["jolien"], f"chain-{cast.owner.pk}").cases == 1


def test_leasewijss_journey_owner_works_its_own_cases_and_only_reads_the_partners(cast, chain):
    own = case_for(cast, employee=cast.agent, nps=2)
    partners = case_for(cast, employee=cast.partner_agent, nps=2)
    # Jolien also leads Team Noord for a while, so she has people to hand cases to.
    grant_role(user=chain["jolien"], organisation=cast.owner, role=Role.TEAM_LEAD, unit=cast.team)
    jolien = cast.client_for(chain["jolien"])
    assert jolien.post(f"/cases/{own.pk}/note/", {"note": "Gezien"}).status_code == 302
    assert jolien.post(f"/cases/{partners.pk}/note/", {"note": "Gezien"}).status_code == 404
    # The inbox lists both, but offers only her own to tick; nor can a bulk reassignment reach the other.
    inbox = jolien.get("/cases/")
    assert {c.pk for c in inbox.context["cases"]} == {own.pk, partners.pk}
    assert f'id="case-{own.pk}"' in inbox.content.decode()
    assert f'id="case-{partners.pk}"' not in inbox.content.decode()
    bulk = jolien.post("/cases/reassign/", {"cases": [partners.pk], "assignee": cast.agent.pk})
    assert bulk.status_code == 422
    assert FollowUpCase.objects.get(pk=partners.pk).assignee == chain["tessa"]
    bulk = jolien.post("/cases/reassign/", {"cases": [own.pk], "assignee": cast.agent.pk})
    assert bulk.status_code == 302


def test_the_partners_lead_sees_it_the_owners_lead_and_the_outsider_do_not(cast, chain):
    case = case_for(cast, employee=cast.partner_agent, nps=2)
    assert cast.client_for(cast.outsider).get(f"/cases/{case.pk}/").status_code == 404
    assert cast.client_for(chain["tessa"].user).get(f"/cases/{case.pk}/").status_code == 200
    assert cast.client_for(cast.lead.user).get(f"/cases/{case.pk}/").status_code == 404


def owners_case_about(cast, employee, comment: str = "Niemand belde terug") -> FollowUpCase:
    """The case of a detractor whom Leasewijs's rule invited about this employee's contact."""
    response = make_response(cast, employee=employee, nps=2, comment=comment)
    Response.objects.filter(pk=response.pk).update(organisation=cast.owner)
    return services.apply_followup_rules(response_id=response.pk)


def test_the_owners_rules_decide_that_a_case_opens_and_the_contacts_organisation_handles_it(
    cast, chain
):
    FollowUpRule.objects.create(
        organisation=cast.owner, name="Ontevreden", nps_max=6, priority="high"
    )
    FollowUpRule.objects.create(organisation=cast.partner, name="Nooit", nps_max=-1)
    case = owners_case_about(cast, cast.partner_agent)
    assert (case.rule.organisation, case.priority, case.reason) == (
        cast.owner,
        "high",
        "Ontevreden",
    )
    assert (case.organisation, case.unit, case.assignee) == (
        cast.partner,
        chain["inbound"],
        chain["tessa"],
    )


def test_an_owner_rule_that_sends_cases_to_its_own_queue_keeps_them_at_the_owner(cast, chain):
    queue = FollowUpQueue.objects.create(organisation=cast.owner, name="Klantregie")
    queue.members.add(cast.colleague)
    FollowUpRule.objects.create(
        organisation=cast.owner,
        name="Regie belt zelf",
        nps_max=6,
        owner=FollowUpRule.Owner.QUEUE,
        queue=queue,
    )
    case = owners_case_about(cast, cast.partner_agent)
    # Handled at Leasewijs, so it escalates up Bram's hierarchy, not Pim's.
    assert (case.organisation, case.unit, case.assignee) == (cast.owner, cast.team, cast.colleague)


def test_the_partner_keeps_the_owners_sla_for_the_journey_unless_it_has_its_own(cast, chain):
    SlaPolicy.objects.create(
        organisation=cast.owner,
        journey_type=cast.journey_type,
        first_contact_hours=4,
        resolution_hours=16,
    )
    SlaPolicy.objects.create(organisation=cast.partner, first_contact_hours=2, resolution_hours=30)
    with time_machine.travel(at(23, 9), tick=False):
        agreed = case_for(cast, employee=cast.partner_agent, nps=2, comment="een")
    assert (agreed.first_contact_due_at, agreed.due_at) == (
        at(23, 13),
        at(24, 13),
    )  # 4 and 16 hours of 08–20
    SlaPolicy.objects.create(
        organisation=cast.partner,
        journey_type=cast.journey_type,
        first_contact_hours=1,
        resolution_hours=8,
    )
    with time_machine.travel(at(23, 9), tick=False):
        own = case_for(cast, employee=cast.partner_agent, nps=2, comment="twee")
    assert (own.first_contact_due_at, own.due_at) == (at(23, 10), at(23, 17))


def test_the_migration_moves_cases_opened_for_the_owner_about_a_partners_contact(cast, chain):
    import importlib

    from django.apps import apps

    def opened_as_before(employee, comment: str, **extra) -> FollowUpCase:
        """A case as open_case opened it before: for the organisation that invited."""
        case = owners_case_about(cast, employee, comment)
        FollowUpCase.objects.filter(pk=case.pk).update(organisation=cast.owner, **extra)
        return case

    stranded = opened_as_before(cast.partner_agent, "Een")
    resolved = opened_as_before(
        cast.partner_agent, "Twee", root_cause=cast.root_cause
    )  # the owner's list
    queue = FollowUpQueue.objects.create(organisation=cast.owner, name="Klantregie")
    queued = opened_as_before(cast.partner_agent, "Drie", queue=queue, assignee=cast.colleague)
    own = owners_case_about(cast, cast.agent)
    migration = importlib.import_module(
        "cxloop.followup.migrations.0003_partner_cases_belong_to_the_partner"
    )
    migration.cases_to_their_units_organisation(apps, None)
    organisations = dict(FollowUpCase.objects.values_list("pk", "organisation__slug"))
    assert organisations == {
        stranded.pk: "belcentrum",
        resolved.pk: "leasewijs",
        queued.pk: "leasewijs",
        own.pk: "leasewijs",
    }
    assert cast.client_for(cast.partner_admin).get(f"/cases/{stranded.pk}/").status_code == 200
