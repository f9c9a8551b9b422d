"""The shared cast of every test: one chain with an owner and a partner, and an outsider.

- Leasewijs (owner of the journey type "schade-melden") with a department "Klantenservice"
  holding team "Team Noord" (lead Lotte, agents Anouk and Bram);
- Belcentrum, the partner call centre, with its admin Paula;
- Elders, an organisation in another chain, with its admin Olaf.
"""

import os
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client

from cxloop.journeys.models import Channel, DataSharingAgreement, JourneyType, Touchpoint
from cxloop.lib.testing.logins import logged_in
from cxloop.orgs.models import Chain, Employee, Organisation, Role, Unit
from cxloop.orgs.services import (
    create_api_key,
    create_employee,
    create_unit,
    grant_role,
    set_unit_lead,
)
from cxloop.surveys.models import InvitationRule, Question, Survey

PASSWORD = "test-password-123"


def pytest_report_header(config) -> str:
    return f"cxloop database: {os.environ.get('CXLOOP_DATABASE_URL', 'SQLite (default)')}"


@dataclass
class Cast:
    chain: Chain
    owner: Organisation
    partner: Organisation
    outsider_org: Organisation
    department: Unit
    team: Unit
    lead: Employee
    agent: Employee
    colleague: Employee
    partner_agent: Employee
    journey_type: JourneyType
    touchpoint: Touchpoint
    phone: Channel
    email: Channel
    survey: Survey
    nps_question: Question
    open_question: Question
    owner_admin: object
    partner_admin: object
    outsider: object
    owner_key: str
    partner_key: str
    outsider_key: str
    root_cause: object

    def client_for(self, user) -> Client:
        client = Client()
        logged_in(user, client)
        return client


def _admin(username: str, organisation: Organisation):
    user = get_user_model().objects.create_user(username=username, password=PASSWORD)
    grant_role(user=user, organisation=organisation, role=Role.ORG_ADMIN)
    return user


@pytest.fixture
def cast(db) -> Cast:
    return make_cast()


def make_cast() -> Cast:
    """The cast's rows, for a fixture that has database access (`cast`, or a module's shared rows)."""
    chain = Chain.objects.create(name="Leaseketen", slug="leaseketen")
    other_chain = Chain.objects.create(name="Andere keten", slug="andere")
    owner = Organisation.objects.create(
        chain=chain,
        name="Leasewijs",
        slug="leasewijs",
        sender_email="klantbeleving@leasewijs.nl",
        reply_to_email="service@leasewijs.nl",
    )
    partner = Organisation.objects.create(chain=chain, name="Belcentrum", slug="belcentrum")
    outsider_org = Organisation.objects.create(chain=other_chain, name="Elders", slug="elders")

    department = create_unit(
        organisation=owner, name="Klantenservice", slug="klantenservice", kind=Unit.Kind.DEPARTMENT
    )
    team = create_unit(organisation=owner, name="Team Noord", slug="team-noord", parent=department)
    lead = create_employee(
        organisation=owner,
        unit=team,
        code="L1",
        name="Lotte de Lead",
        email="lotte@leasewijs.nl",
        username="lotte",
        password=PASSWORD,
    )
    assert lead.user is not None  # created with a username: the lead logs in
    grant_role(user=lead.user, organisation=owner, role=Role.TEAM_LEAD, unit=team)
    set_unit_lead(unit=team, lead=lead)
    agent = create_employee(
        organisation=owner,
        unit=team,
        code="A1",
        name="Anouk Agent",
        username="anouk",
        password=PASSWORD,
    )
    colleague = create_employee(
        organisation=owner,
        unit=team,
        code="B1",
        name="Bram Collega",
        username="bram",
        password=PASSWORD,
    )
    partner_team = create_unit(organisation=partner, name="Inbound", slug="inbound")
    partner_agent = create_employee(
        organisation=partner, unit=partner_team, code="P1", name="Pim Partner"
    )

    journey_type = JourneyType.objects.create(
        chain=chain, owner=owner, name="Schade melden", slug="schade-melden"
    )
    DataSharingAgreement.objects.create(journey_type=journey_type, organisation=partner)
    touchpoint = Touchpoint.objects.create(
        journey_type=journey_type, name="Schade melden", slug="melding"
    )
    phone = Channel.objects.create(chain=chain, name="Telefoon", slug="telefoon")
    email = Channel.objects.create(chain=chain, name="E-mail", slug="e-mail")

    survey = Survey.objects.create(organisation=owner, name="Na contact")
    nps_question = Question.objects.create(
        survey=survey,
        position=1,
        kind=Question.Kind.NPS,
        required=True,
        text_nl="Hoe waarschijnlijk is het dat u Leasewijs aanbeveelt?",
        text_en="How likely are you to recommend Leasewijs?",
    )
    open_question = Question.objects.create(
        survey=survey,
        position=2,
        kind=Question.Kind.OPEN,
        text_nl="Wat is de belangrijkste reden voor uw score?",
        text_en="What is the main reason for your score?",
    )
    # E-mail at any hour, so that tests run at night behave as by day; quiet hours have their own tests.
    InvitationRule.objects.create(organisation=owner, survey=survey, quiet_hours_for_email=False)
    partner_survey = Survey.objects.create(organisation=partner, name="Belcentrum na contact")
    Question.objects.create(
        survey=partner_survey,
        position=1,
        kind=Question.Kind.NPS,
        text_nl="Aanbevelen?",
        text_en="Recommend?",
    )
    InvitationRule.objects.create(
        organisation=partner, survey=partner_survey, quiet_hours_for_email=False
    )
    from cxloop.followup.models import RootCause

    root_cause = RootCause.objects.create(organisation=owner, name="Wachttijd telefoon")
    RootCause.objects.create(organisation=partner, name="Wachtrij belcentrum")

    return Cast(
        chain=chain,
        owner=owner,
        partner=partner,
        outsider_org=outsider_org,
        department=department,
        team=team,
        lead=lead,
        agent=agent,
        colleague=colleague,
        partner_agent=partner_agent,
        journey_type=journey_type,
        touchpoint=touchpoint,
        phone=phone,
        email=email,
        survey=survey,
        nps_question=nps_question,
        open_question=open_question,
        owner_admin=_admin("olivia", owner),
        partner_admin=_admin("paula", partner),
        outsider=_admin("olaf", outsider_org),
        owner_key=create_api_key(organisation=owner, name="crm")[1],
        partner_key=create_api_key(organisation=partner, name="crm")[1],
        outsider_key=create_api_key(organisation=outsider_org, name="crm")[1],
        root_cause=root_cause,
    )


def _shared_transaction(django_db_blocker):
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer._from_testcase = True  # as TestCase's own atomics: a durable block inside is allowed
        outer.__enter__()
    try:
        yield django_db_blocker
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture(scope="module")
def module_transaction(django_db_setup, django_db_blocker):
    """One transaction around a whole test module, rolled back after its last test.

    What a module-scoped fixture writes inside `with module_transaction.unblock():` is made once
    and seen by each of the module's tests, whose own writes roll back to a savepoint after each
    test: Django's `TestCase.setUpTestData`, for pytest. Hand each test a `copy.deepcopy` of the
    objects, as setUpTestData does, so that what one test changes in memory the next does not see.
    Only for tests of plain `django_db` (not `transaction=True`, which commit and flush), and only
    where every test of the module uses those rows (a test's own `cast` would clash with them).
    """
    yield from _shared_transaction(django_db_blocker)


@pytest.fixture(scope="class")
def class_transaction(django_db_setup, django_db_blocker):
    """`module_transaction` for the tests of one class, where other tests of the module need an
    empty database."""
    yield from _shared_transaction(django_db_blocker)


@pytest.fixture
def admin_client(db, admin_user) -> Client:
    """pytest-django's superuser client, logged in completely (staff must give a second factor)."""
    return logged_in(admin_user)


@pytest.fixture
def post_interaction(cast, django_capture_on_commit_callbacks):
    """POST one interaction as an organisation and run what it triggers (tasks run at once in tests)."""

    def post(payload: dict, *, key: str | None = None, **headers):
        client = Client()
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                "/api/interactions",
                data=payload,
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {key or cast.owner_key}",
                **headers,
            )

    return post


def interaction_payload(external_id: str = "call-1", **overrides) -> dict:
    """A valid interaction of Anouk with customer K-1 in journey claim-123."""
    payload = {
        "external_id": external_id,
        "occurred_at": "2026-11-20T10:15:00+01:00",
        "customer": {"key": "K-1", "email": "klant@example.nl", "language": "nl"},
        "journey_id": "claim-123",
        "journey_type": "schade-melden",
        "channel": "telefoon",
        "touchpoint": "melding",
        "employee": "A1",
    }
    payload.update(overrides)
    return payload


from cxloop.lib.testing.browser import chromium_browser  # noqa: E402,F401 (a shared fixture)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Every test starts with zero rate-limit counts: all test clients come from 127.0.0.1."""
    from django.conf import settings
    from django.core.cache import caches

    if settings.CACHES["default"]["BACKEND"].endswith("LocMemCache"):
        caches["default"].clear()
