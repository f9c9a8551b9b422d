"""Every URL for every role and every organisation, compared with the written matrix.

The people hold their roles in Leasewijs (the cast's journey owner). Each URL that takes an
organisation's object is asked for an object of Leasewijs ("own"), of Belcentrum ("partner", in
the same chain) and of Elders ("outsider", another chain); the answers must be those in
access_matrix.py. A URL pattern that is not in the matrix fails the test: classify new pages there.
`CXLOOP_ACCESS_MATRIX=print pytest cxloop/orgs/tests/test_access_matrix.py` prints the table as
it is, to compare or copy rows from (read what you copy: the matrix is the rule, not the output).
"""

import os
import re
from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from cxloop.conftest import PASSWORD
from cxloop.digest.services import stop_url
from cxloop.followup import services as followup
from cxloop.followup.models import (
    CustomerMessageTemplate,
    FollowUpQueue,
    FollowUpRule,
    RootCause,
    SlaPolicy,
)
from cxloop.journeys.models import Channel, JourneyType, Touchpoint
from cxloop.lib.testing.logins import logged_in
from cxloop.lib.testing.responses import make_response
from cxloop.messaging.models import OutboxMessage
from cxloop.orgs.models import Organisation, Role
from cxloop.orgs.services import create_employee, create_unit, grant_role
from cxloop.orgs.tests.access_matrix import MATRIX, ORGANISATIONS, ROLES, parse
from cxloop.privacy.models import ErasureReceipt
from cxloop.process.models import EventLog, LogEvent
from cxloop.surveys.models import InvitationRule, Question, Survey
from cxloop.surveys.services import opt_out_url
from cxloop.text.models import AnalysedText

pytestmark = pytest.mark.django_db

EXCLUDED = ("admin/", "api/")  # checked by their own tests below
UNKNOWN_TOKEN = "no-such-token"


@dataclass(frozen=True)
class Route:
    """A URL pattern of the project: its name (with namespace) and the parameters it takes."""

    name: str
    route: str
    params: tuple[str, ...]


def routes() -> list[Route]:
    """Every URL pattern from the resolver, included ones too, except the admin and the API."""

    def walk(patterns, prefix: str, namespace: str) -> list[Route]:
        found = []
        for pattern in patterns:
            text = prefix + str(pattern.pattern)
            if text.startswith(EXCLUDED):
                continue
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                found += walk(pattern.url_patterns, text, inner)
            elif isinstance(pattern, URLPattern):
                params = tuple(pattern.pattern.regex.groupindex)
                found.append(Route(f"{namespace}{pattern.name or text}", text, params))
        return found

    return walk(get_resolver().url_patterns, "", "")


# --- the world: the cast, plus what every organisation needs so that each URL has an object ---------


def _member(org: Organisation, employee):
    """A user with a role in the organisation (the people pages' person), without an e-mail address."""
    user = get_user_model().objects.create_user(username=f"member-{org.slug}")
    grant_role(user=user, organisation=org, role=Role.EMPLOYEE, unit=employee.unit)
    return user


def _objects(
    cast, org: Organisation, *, employee, unit, journey_type, channel, survey, case_journey_type
):
    """One of each thing a URL can point at, in this organisation."""
    response = make_response(
        cast,
        employee=employee,
        journey_type=case_journey_type,
        channel=channel,
        survey=survey,
        nps=2,
        comment="Niemand belde terug",
        customer_key=f"K-{org.slug}",
    )
    log = EventLog.objects.create(
        organisation=org, name="Log", file_name="log.csv", status=EventLog.Status.READY
    )
    start = timezone.now() - timedelta(days=3)
    for position, activity in enumerate(("Melding", "Afgehandeld")):
        LogEvent.objects.create(
            log=log,
            position=position,
            case_id="c1",
            activity=activity,
            timestamp=start + timedelta(hours=position),
        )
    return SimpleNamespace(
        organisation=org,
        employee=employee,
        unit=unit,
        journey_type=journey_type,
        survey=survey,
        question=survey.questions.order_by("position").first(),
        invitation_rule=InvitationRule.objects.get(organisation=org),
        case=followup.open_case(response=response, reason="detractor"),
        followup_rule=FollowUpRule.objects.create(organisation=org, name="Detractors"),
        queue=FollowUpQueue.objects.create(organisation=org, name="Terugbellen"),
        sla=SlaPolicy.objects.create(organisation=org),
        root_cause=RootCause.objects.filter(organisation=org).first()
        or RootCause.objects.create(organisation=org, name="Onbekend"),
        template=CustomerMessageTemplate.objects.create(
            organisation=org,
            name="Standaard",
            subject_nl="s",
            body_nl="b",
            subject_en="s",
            body_en="b",
        ),
        outbox=OutboxMessage.objects.create(
            organisation=org,
            sender="a@example.nl",
            recipient="b@example.nl",
            subject="Hallo",
            body_text="Hallo",
        ),
        response=response,
        analysed=AnalysedText.objects.create(
            organisation=org,
            response=response,
            language="nl",
            masked_text=response.comment,
            sentiment=AnalysedText.Sentiment.NEGATIVE,
            score=-0.5,
            analysed_at=timezone.now(),
        ),
        event_log=log,
        customer=response.customer,
        member=employee.user or _member(org, employee),
        touchpoint=Touchpoint.objects.get_or_create(
            journey_type=journey_type, slug="melding", defaults={"name": "Melding"}
        )[0],
        channel=channel,
        receipt=ErasureReceipt.objects.create(
            chain=org.chain,
            organisation=org,
            actor_label="privacy officer",
            erased_at=timezone.now(),
            customer_hash="0" * 64,
        ),
    )


def build_world(cast) -> tuple[dict[str, SimpleNamespace], dict[str, object]]:
    """Objects per organisation ("own", "partner", "outsider") and a user per role (None: anonymous)."""
    outsider = cast.outsider_org
    outsider_unit = create_unit(organisation=outsider, name="Balie", slug="balie")
    outsider_jt = JourneyType.objects.create(
        chain=outsider.chain, owner=outsider, name="Verhuizen", slug="verhuizen"
    )
    outsider_survey = Survey.objects.create(organisation=outsider, name="Elders na contact")
    Question.objects.create(
        survey=outsider_survey, position=1, kind=Question.Kind.NPS, text_nl="?", text_en="?"
    )
    InvitationRule.objects.create(
        organisation=outsider, survey=outsider_survey, quiet_hours_for_email=False
    )
    outsider_channel = Channel.objects.create(chain=outsider.chain, name="Balie", slug="balie")
    outsider_employee = create_employee(
        organisation=outsider, unit=outsider_unit, code="E1", name="Evert Elders"
    )
    partner_jt = JourneyType.objects.create(
        chain=cast.chain, owner=cast.partner, name="Terugbellen", slug="terugbellen"
    )
    world = {
        "own": _objects(
            cast,
            cast.owner,
            employee=cast.colleague,  # not the employee who asks: a colleague in the same team
            unit=cast.team,
            journey_type=cast.journey_type,
            channel=cast.phone,
            survey=cast.survey,
            case_journey_type=cast.journey_type,
        ),
        "partner": _objects(
            cast,
            cast.partner,
            employee=cast.partner_agent,
            unit=cast.partner_agent.unit,
            journey_type=partner_jt,
            channel=cast.phone,
            survey=Survey.objects.get(organisation=cast.partner),
            case_journey_type=cast.journey_type,  # the partner works in Leasewijs's journey
        ),
        "outsider": _objects(
            cast,
            outsider,
            employee=outsider_employee,
            unit=outsider_unit,
            journey_type=outsider_jt,
            channel=outsider_channel,
            survey=outsider_survey,
            case_journey_type=outsider_jt,
        ),
    }
    users = {
        "anonymous": None,
        "employee": cast.agent.user,
        "team_lead": cast.lead.user,
        "org_admin": cast.owner_admin,
    }
    for role, username in (
        (Role.JOURNEY_OWNER, "jolien"),
        (Role.ANALYST, "anton"),
        (Role.PRIVACY_OFFICER, "pia"),
    ):
        user = get_user_model().objects.create_user(username=username, password=PASSWORD)
        grant_role(user=user, organisation=cast.owner, role=role)
        users[str(role)] = user
    assert list(users) == list(ROLES)
    return world, users


# --- filling a URL's parameters ---------------------------------------------------------------------

# Which object fills `pk` for each URL name (names starting with case_ take the case, builder_ the survey).
PK_OF = {
    "employee_dashboard": "employee",
    "coaching_add": "employee",
    "unit_dashboard": "unit",
    "unit_analysis": "unit",
    "journey_dashboard": "journey_type",
    "journey_analysis": "journey_type",
    "followup_rule_edit": "followup_rule",
    "followup_queue_edit": "queue",
    "followup_sla_edit": "sla",
    "followup_sla_delete": "sla",
    "followup_root_cause_edit": "root_cause",
    "followup_template_edit": "template",
    "followup_template_delete": "template",
    "outbox_message": "outbox",
    "rule_edit": "invitation_rule",
    "text_correct": "analysed",
    "process:log": "event_log",
    "process:log_delete": "event_log",
    "privacy:customer": "customer",
    "privacy:customer_download": "customer",
    "privacy:customer_erase": "customer",
    "privacy:receipt": "receipt",
    "structure_unit_edit": "unit",
    "structure_unit_close": "unit",
    "structure_employee_edit": "employee",
    "structure_employee_leave": "employee",
    "people:person": "member",
    "people:grant": "member",
    "people:revoke": "member",
    "people:password": "member",
    "people:deactivate": "member",
    "people:reactivate": "member",
    "chain:journey_type": "journey_type",
    "chain:agreement": "journey_type",
    "chain:touchpoint_new": "journey_type",
    "chain:touchpoint": "touchpoint",
    "chain:channel": "channel",
}
PROCESS_SOURCES = {"journeys": "journey_type", "logs": "event_log"}


def _pk_object(name: str) -> str:
    if name in PK_OF:
        return PK_OF[name]
    if name.startswith("case_"):
        return "case"
    if name.startswith("builder_"):
        return "survey"
    raise AssertionError(f"Tell PK_OF in {__file__} which object fills <pk> of {name!r}")


def variants(route: Route, world: dict[str, SimpleNamespace], cast) -> list[tuple[str, str, str]]:
    """(matrix key, organisation or "-", path) for every way the test asks this URL."""
    params = set(route.params)
    if not params:
        return [(route.name, "-", reverse(route.name))]
    if params == {"token"}:
        token = {
            "opt_out": lambda: opt_out_url(world["own"].response.customer).rsplit("/o/", 1)[1][:-1],
            "digest_stop": lambda: stop_url(cast.agent.user).rsplit("/stop/", 1)[1][:-1],
        }.get(route.name, lambda: UNKNOWN_TOKEN)()
        return [(route.name, "-", reverse(route.name, kwargs={"token": token}))]
    found = []
    kinds = [None] if "kind" not in params else list(PROCESS_SOURCES)
    for kind in kinds:
        key = route.name if kind is None else f"{route.name}[{kind}]"
        for org in ORGANISATIONS:
            objects = world[org]
            kwargs: dict[str, object] = {}
            if "slug" in params:
                kwargs["slug"] = objects.organisation.slug
            if kind is not None:
                kwargs["kind"] = kind
                kwargs["pk"] = getattr(objects, PROCESS_SOURCES[kind]).pk
            elif "pk" in params:
                kwargs["pk"] = getattr(objects, _pk_object(route.name)).pk
            if "question_pk" in params:
                kwargs["question_pk"] = objects.question.pk
            unknown = params - set(kwargs)
            assert not unknown, f"The test does not know how to fill {unknown} of {route.name}"
            found.append((key, org, reverse(route.name, kwargs=kwargs)))
    return found


def outcome(response) -> str:
    """The matrix's word for a response: its status, or "login" for a redirect to the login page."""
    if response.status_code == 302:
        login = reverse("login")
        return "login" if response["Location"].split("?")[0] == login else "302"
    return str(response.status_code)


def ask(client: Client, method: str, path: str) -> str:
    """GET the path, or POST an empty form to it and undo whatever the POST wrote."""
    if method == "GET":
        return outcome(client.get(path))
    with transaction.atomic():
        response = client.post(path, {})
        transaction.set_rollback(True)
    return outcome(response)


def _row(key: str, org: str, method: str, got: dict[str, str]) -> str:
    return f"{key:<32} {org:<9} {method:<5} " + " ".join(f"{got[r]:<6}" for r in ROLES).rstrip()


# --- the tests --------------------------------------------------------------------------------------


def test_every_url_answers_every_role_as_the_matrix_says(cast):
    world, users = build_world(cast)
    clients = {}
    for role, user in users.items():
        clients[role] = Client(raise_request_exception=False)
        if user is not None:
            logged_in(user, clients[role])
    expected = parse(MATRIX)
    printing = os.environ.get("CXLOOP_ACCESS_MATRIX") == "print"
    asked, missing, messages = set(), [], []
    for route in routes():
        for key, org, path in variants(route, world, cast):
            asked.add((key, org))
            row = expected.get((key, org))
            if row is None:
                missing.append(f"{key:<32} {org:<9} ({path})")
                if not printing:
                    continue
            method = row.method if row else "GET"
            got = {role: ask(clients[role], method, path) for role in ROLES}
            if row is None and route.name != "logout" and all(got[r] == "405" for r in ROLES[1:]):
                method = "POST"  # a form's target: what matters is who may post to it
                got = {role: ask(clients[role], method, path) for role in ROLES}
            if printing:
                print(_row(key, org, method, got))
            if row is not None and got != row.outcomes:
                diff = ", ".join(
                    f"{r} {got[r]} (matrix {row.outcomes[r]})"
                    for r in ROLES
                    if got[r] != row.outcomes[r]
                )
                messages.append(f"{method} {path} ({key}, {org}): {diff}")
    if missing:
        messages.append(
            "URL patterns missing from cxloop/orgs/tests/access_matrix.py; add a row per "
            "organisation saying what each role gets:\n  " + "\n  ".join(missing)
        )
    if stale := sorted(set(expected) - asked):
        messages.append(f"Rows in the matrix for URLs that no longer exist: {stale}")
    assert not messages, "\n".join(messages)


def test_the_admin_refuses_every_role_but_staff(cast):
    _, users = build_world(cast)
    paths = [
        "/admin/",
        reverse("admin:orgs_organisation_changelist"),
        reverse("admin:auth_user_changelist"),
    ]
    for role, user in users.items():
        client = Client()
        if user is not None:
            assert not user.is_staff
            logged_in(user, client)
        for path in paths:
            response = client.get(path)
            assert response.status_code == 302, (role, path)
            assert response["Location"].startswith(reverse("admin:login")), (role, path)
    staff = get_user_model().objects.create_superuser(username="root", password=PASSWORD)
    assert cast.client_for(staff).get("/admin/").status_code == 200


def _api_operations() -> list[tuple[str, str]]:
    """(method, path) of every operation in the API's OpenAPI document, parameters filled with "x"."""
    from cxloop.api import api

    operations = []
    for path, methods in api.get_openapi_schema()["paths"].items():
        filled = re.sub(r"\{[^}]+\}", "x", path)
        operations += [(method.upper(), filled) for method in methods]
    return operations


def test_the_openapi_document_lists_every_api_url():
    """So that the next test, which reads the document, asks every operation."""
    from cxloop.api import api

    api_resolver = next(p for p in get_resolver().url_patterns if str(p.pattern) == "api/")
    documented = {re.sub(r"\{[^}]+\}", "<>", path) for path in api.get_openapi_schema()["paths"]}
    own_pages = {"openapi.json", "docs", ""}
    for pattern in api_resolver.url_patterns:
        route = str(pattern.pattern)
        if route not in own_pages:
            assert "/api/" + re.sub(r"<[^>]+>", "<>", route) in documented, route


def test_the_api_refuses_every_request_without_a_valid_key(cast):
    _, users = build_world(cast)
    operations = _api_operations()
    assert len(operations) >= 5
    session = logged_in(users["org_admin"])  # a session is not a key
    attempts = [(Client(), {}), (session, {}), (Client(), {"HTTP_AUTHORIZATION": "Bearer nope"})]
    attempts.append((Client(), {"HTTP_X_API_KEY": cast.owner_key + "x"}))
    for client, headers in attempts:
        for method, path in operations:
            response = client.generic(method, path, "{}", "application/json", **headers)
            assert response.status_code == 401, (method, path, headers, response.status_code)
    # The API's own description is public: it holds no data.
    assert Client().get("/api/openapi.json").status_code == 200
