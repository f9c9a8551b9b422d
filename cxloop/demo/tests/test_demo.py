"""The demo chain: its shape, logins, reproducibility, attribution, score patterns and the command."""

from collections import Counter, defaultdict
from datetime import time, timedelta
from io import StringIO
from itertools import pairwise
from statistics import mean

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import F
from django.test import Client
from django.utils import timezone
from django_tasks import default_task_backend

from cxloop.dashboards.queries import Filters, scores_for_organisation
from cxloop.demo import content
from cxloop.demo.cases import OPEN, comment_topic
from cxloop.demo.generator import DemoResult, build_demo
from cxloop.demo.plan import HISTORY_DAYS, plan_demo, planned_scores
from cxloop.followup.models import CaseEvent, FollowUpCase
from cxloop.followup.services import _current_due
from cxloop.journeys.models import Interaction, JourneyType
from cxloop.lib.testing.logins import logged_in, login_through_pages
from cxloop.messaging.models import OutboxMessage
from cxloop.orgs.models import Employee, Membership, Organisation, Role, Unit
from cxloop.orgs.services import authenticate_api_key
from cxloop.responses.models import Answer, Response
from cxloop.server.sweeper import sweep
from cxloop.surveys import planning
from cxloop.surveys.models import Invitation, InvitationDecision
from cxloop.text.models import AnalysedText

SMALL = 300  # answers: enough for every pattern to show, small enough to build in about a second
PASSWORD = content.DEFAULT_PASSWORD


@pytest.fixture
def demo(db) -> DemoResult:
    return build_demo(responses=SMALL)


def test_demo_builds_three_organisations_in_one_chain(demo):
    organisations = Organisation.objects.filter(chain=demo.chain)
    assert set(organisations.values_list("slug", flat=True)) == {
        "leasewijs",
        "belcentrum",
        "vandijk",
    }
    assert not organisations.filter(reply_to_email__icontains="no-reply").exists()
    assert JourneyType.objects.filter(chain=demo.chain, owner__slug="leasewijs").count() >= 3
    assert Employee.objects.filter(organisation__chain=demo.chain).count() >= 50


def test_units_form_a_tree_with_materialised_paths(demo):
    units = list(Unit.objects.filter(organisation__chain=demo.chain).select_related("parent"))
    for unit in units:
        assert unit.path == (unit.parent.path if unit.parent else "/") + f"{unit.pk}/"
    assert max(unit.depth for unit in units) >= 2  # division → department → team: three levels
    teams = [unit for unit in units if unit.kind == Unit.Kind.TEAM]
    assert all(team.lead is not None and team.lead.unit_id == team.pk for team in teams)


def test_every_demo_login_works(demo):
    for username in content.DEMO_USERNAMES:
        client = Client()
        login_through_pages(client, username, PASSWORD)
        home = client.get("/", follow=True)
        assert home.status_code == 200 and home.wsgi_request.user.is_verified() is not None, (
            username
        )
        assert not home.request["PATH_INFO"].startswith(("/login/", "/account/")), username
    platform = Client()
    login_through_pages(platform, content.DEMO_PLATFORM_USERNAME, PASSWORD)
    assert platform.get("/admin/").status_code == 200


def test_the_organisation_admin_is_not_a_platform_superuser(demo):
    beheerder = Client()
    login_through_pages(beheerder, "beheerder", PASSWORD)
    assert beheerder.get("/organisations/leasewijs/").status_code == 200
    assert beheerder.get("/admin/").status_code == 302  # to the admin's own login: not staff
    platform = get_user_model().objects.get(username=content.DEMO_PLATFORM_USERNAME)
    assert platform.is_superuser and not Membership.objects.filter(user=platform).exists()


def test_same_seed_gives_the_same_plan():
    first = planned_scores(plan_demo(seed=42, responses=500))
    assert first == planned_scores(plan_demo(seed=42, responses=500))
    assert first != planned_scores(plan_demo(seed=43, responses=500))
    assert plan_demo(seed=42).employees == plan_demo(seed=42).employees


def _built_scores(seed: int, now) -> list[tuple[int | None, str]]:
    """Build the demo, read its answers in order, and roll it all back."""
    with transaction.atomic():
        build_demo(seed=seed, responses=SMALL, now=now)
        scores = list(Response.objects.order_by("pk").values_list("nps", "comment"))
        transaction.set_rollback(True)
    return scores


@pytest.mark.django_db
def test_same_seed_gives_the_same_answers_in_the_database():
    now = timezone.now()
    first = _built_scores(42, now)
    assert len(first) >= SMALL * 0.9
    assert first == _built_scores(42, now)


def test_responses_carry_the_interactions_attribution(demo):
    responses = Response.objects.filter(organisation__chain=demo.chain)
    assert responses.count() >= SMALL * 0.9
    assert not responses.exclude(unit_path=F("unit__path")).exists()
    for field in (
        "organisation",
        "employee",
        "unit",
        "channel",
        "touchpoint",
        "journey",
        "customer",
    ):
        assert not responses.exclude(**{field: F(f"interaction__{field}")}).exists(), field
    assert not responses.exclude(employee__organisation=F("organisation")).exists()
    assert not responses.exclude(journey_type=F("journey__journey_type")).exists()
    assert not responses.exclude(submitted_at__lte=timezone.now()).exists()
    answers = Answer.objects.filter(response__in=responses)
    assert answers.filter(question__kind="nps").count() == responses.count()
    for field in ("interaction", "organisation", "unit", "employee"):
        assert not answers.exclude(**{field: F(f"response__{field}")}).exists(), field
    assert not Interaction.objects.exclude(employee__organisation=F("organisation")).exists()


def _scores_by(seed: int, responses: int) -> dict[str, list[int]]:
    """Planned scores grouped by unit and, for reporting damage, by channel."""
    scores: dict[str, list[int]] = defaultdict(list)
    for journey in plan_demo(seed=seed, responses=responses).journeys:
        for contact in journey.interactions:
            if contact.response is not None:
                scores[f"unit:{contact.unit}"].append(contact.response.nps)
                if journey.journey_type == "schade-melden":
                    scores[f"schade-melden:{contact.channel}"].append(contact.response.nps)
    return scores


def test_scores_differ_by_team_and_channel():
    # On the plan rather than the small test database: a few hundred answers are too noisy.
    scores = _scores_by(42, 5000)
    evening, day = mean(scores["unit:team-avond"]), mean(scores["unit:team-dag"])
    assert len(scores["unit:team-avond"]) >= 200 and evening < day - 1
    assert mean(scores["schade-melden:chat"]) > mean(scores["schade-melden:telefoon"]) + 0.5


def test_comments_are_varied_and_some_are_english(demo):
    comments = Response.objects.exclude(comment="")
    assert comments.values("comment").distinct().count() >= 40
    assert comments.filter(language="en").exists()
    assert 0.45 < comments.count() / Response.objects.count() < 0.75


def test_recent_detractors_have_cases_at_every_step(demo):
    cases = FollowUpCase.objects.filter(organisation__chain=demo.chain)
    assert cases.exists() and not cases.exclude(response__nps__lte=6).exists()
    assert not cases.filter(assignee__isnull=True).exists()
    assert not cases.filter(first_contact_due_at__isnull=True).exists()
    closed = cases.filter(status=FollowUpCase.Status.CLOSED)
    assert closed.filter(
        closed_reason="resolved", root_cause__isnull=False, events__kind="resolved"
    ).exists()
    assert (
        cases.exclude(status=FollowUpCase.Status.CLOSED).filter(due_at__lt=timezone.now()).exists()
    )
    assert not cases.filter(events__kind="contact_attempt", events__actor__isnull=True).exists()
    assert not cases.filter(status=FollowUpCase.Status.NEW, first_contact_at__isnull=False).exists()


def test_root_causes_fit_what_the_customer_wrote(demo):
    topics = {name: topics for causes in content.ROOT_CAUSES.values() for name, _, topics in causes}
    resolved = FollowUpCase.objects.filter(root_cause__isnull=False).select_related(
        "root_cause", "response"
    )
    assert resolved.exists()
    for case in resolved:
        topic = comment_topic(case.response.comment)
        assert topic is None or topic in topics[case.root_cause.name], (
            case.response.comment,
            case.root_cause,
        )


def test_dashboards_read_the_demo_from_the_roll_ups(demo):
    today = timezone.localdate()
    filters = Filters(since=today - timedelta(days=HISTORY_DAYS), until=today)
    leasewijs = Organisation.objects.get(slug="leasewijs")
    scores = scores_for_organisation(organisation=leasewijs, filters=filters)
    assert scores.nps.n > 0
    # CSAT and CES are asked too, and follow the recommendation: realistic, not "no answers".
    assert scores.csat.n > 0.8 * scores.nps.n and 40 < scores.csat.score < 95
    assert scores.ces.n > 0.8 * scores.nps.n and 3.5 < scores.ces.score < 6.5
    promoters, detractors = Response.objects.filter(nps__gte=9), Response.objects.filter(nps__lte=6)
    assert mean(promoters.exclude(csat=None).values_list("csat", flat=True)) > mean(
        detractors.exclude(csat=None).values_list("csat", flat=True)
    )
    assert not Response.objects.filter(counted=False).exists()


def test_the_planner_decided_every_contact_and_the_contact_policy_holds(demo):
    """One request per journey, 30 days' quarantine, at most 4 a year: every decision with its reason."""
    policy = planning.policy_for(demo.chain.pk)
    per_journey = Counter(Invitation.objects.values_list("journey_id", flat=True))
    assert per_journey and max(per_journey.values()) == 1 and policy.one_request_per_journey
    times = defaultdict(list)
    for customer_id, at in Invitation.objects.order_by("send_after").values_list(
        "customer_id", "send_after"
    ):
        times[customer_id].append(at)
    for sent in times.values():
        gaps = [later - earlier for earlier, later in pairwise(sent)]
        assert all(gap >= timedelta(days=policy.quarantine_days) for gap in gaps)
        assert len(sent) <= policy.cap_count
    decisions = InvitationDecision.objects.filter(chain=demo.chain)
    assert decisions.count() == Interaction.objects.filter(organisation__chain=demo.chain).count()
    reasons = Counter(decisions.values_list("reason", flat=True))
    assert {"invited", "journey_asked", "quarantine"} <= set(reasons)
    assert reasons["invited"] == Invitation.objects.count()
    assert not decisions.filter(outcome="invited", invitation=None).exists()
    quarantined = decisions.filter(reason="quarantine").first()
    assert quarantined.detail.startswith("last invitation 20")
    # The Customers page shows the organisation admin why this customer was not asked.
    page = logged_in(get_user_model().objects.get(username="beheerder")).get(
        f"/customers/?key={quarantined.customer.key}&lang=en"
    )
    assert page.status_code == 200
    assert "quarantine" in [d.reason for d in page.context["history"].decisions]


def test_invitations_keep_the_quiet_hours(demo):
    for sent in Invitation.objects.exclude(sent_at=None).values_list("send_after", flat=True):
        assert time(8) <= timezone.localtime(sent).time() < time(21)


def test_comments_fit_the_contact_they_are_about(demo):
    """A phone call to the call centre gets no comment about the workshop, the chat or the counter."""
    comments = Response.objects.exclude(comment="")
    workshop = r"reparatie|gerepareerd|repair"
    assert not comments.exclude(organisation__slug="vandijk").filter(comment__iregex=workshop)
    phone = comments.filter(channel__slug="telefoon")
    assert phone.exists()
    assert not phone.filter(comment__iregex=r"chat|balie|in de app|the app")
    assert not comments.exclude(channel__slug="telefoon").filter(
        comment__iregex=r"aan de lijn|in de wacht|on hold|bellen voordat"
    )


def test_the_call_centre_evening_shift_waits_longest(demo):
    waits = Interaction.objects.filter(channel__slug="telefoon", organisation__slug="belcentrum")
    evening = sorted(waits.filter(unit__slug="team-avond").values_list("wait_seconds", flat=True))
    day = sorted(waits.filter(unit__slug="team-dag").values_list("wait_seconds", flat=True))
    assert evening and day and evening[len(evening) // 2] > 2 * day[len(day) // 2]
    assert not Interaction.objects.filter(
        channel__slug="persoonlijk", wait_seconds__isnull=False
    ).exists()


def test_building_schedules_no_invitation_or_task(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        build_demo(responses=50)
    assert callbacks == []
    assert Response.objects.exists()


def test_api_keys_work(demo):
    for slug, raw_key in demo.api_keys.items():
        assert authenticate_api_key(raw_key).organisation.slug == slug


def test_the_command_builds_the_demo_and_prints_the_logins(db):
    out = StringIO()
    call_command("demo", responses=SMALL, quiet=True, stdout=out)
    printed = out.getvalue()
    for username in content.DEMO_USERNAMES:
        assert username in printed
    assert printed.count("cxl_") == 3
    assert Response.objects.count() >= SMALL * 0.9


def test_the_command_leaves_text_analysis_to_the_worker(db, settings):
    """The server starts at once; the verbatims are analysed by background tasks, one per organisation."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    call_command("demo", responses=SMALL, quiet=True, stdout=StringIO())
    assert not AnalysedText.objects.exists()
    queued = default_task_backend.results
    assert [r.task.name for r in queued] == ["analyse_organisation_task"] * 3
    for result in queued:  # what the worker does with them
        result.task.call(*result.args)
    assert AnalysedText.objects.filter(response__organisation__slug="leasewijs").count() > 20


def test_the_first_sweep_after_the_demo_sends_no_escalation_or_reminder(db):
    """The demo's overdue cases were escalated in their past, so a starting worker has nothing to send."""
    now = timezone.now()
    build_demo(responses=1500, now=now)
    open_cases = FollowUpCase.objects.filter(status__in=OPEN)
    overdue = [c for c in open_cases if _current_due(c) < now]
    assert overdue, "the demo should show overdue cases"
    assert any(c.escalation_level > 0 for c in overdue)
    escalated = CaseEvent.objects.filter(kind=CaseEvent.Kind.ESCALATED, case__in=overdue)
    assert escalated.count() == sum(c.escalation_level for c in overdue)
    # At the demo's own moment: a minute later a case may rightly become a working day more overdue.
    report = sweep(now=now)
    assert (report.cases_escalated, report.cases_reminded) == (0, 0), report
    assert not OutboxMessage.objects.filter(
        purpose__in=["case_escalated", "case_reminder"]
    ).exists()


def test_if_empty_leaves_an_existing_demo_alone(demo):
    before = (Response.objects.count(), Employee.objects.count(), Organisation.objects.count())
    out = StringIO()
    call_command("demo", if_empty=True, stdout=out)
    assert (
        Response.objects.count(),
        Employee.objects.count(),
        Organisation.objects.count(),
    ) == before
    assert "teamleider" in out.getvalue() and "apikey create" in out.getvalue()


def test_a_second_demo_is_refused(demo):
    with pytest.raises(CommandError, match="exists already"):
        call_command("demo", responses=SMALL, quiet=True, stdout=StringIO())


def test_the_team_lead_sees_their_unit(demo):
    unit = Membership.objects.get(user__username="teamleider", role=Role.TEAM_LEAD).unit
    client = Client()
    login_through_pages(client, "teamleider", PASSWORD)
    page = client.get(f"/units/{unit.pk}/")
    assert page.status_code == 200
    assert unit.name in page.content.decode()


def test_the_employee_sees_their_own_page(demo):
    employee = Employee.objects.select_related("unit").get(user__username="medewerker")
    client = Client()
    login_through_pages(client, "medewerker", PASSWORD)
    page = client.get("/me/")
    assert page.status_code == 200
    html = page.content.decode()
    # The own page shows "My score", the unit and the login name rather than the employee's name.
    assert employee.unit.name in html and "medewerker" in html
    assert "n = " in html  # a score, read from the roll-ups
