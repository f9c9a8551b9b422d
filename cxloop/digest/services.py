"""The daily digest: yesterday and this week, new verbatims, compliments and open follow-ups, per person.

Sent once a day after DIGEST_HOUR (Europe/Amsterdam) by the sweeper; the `last_sent_on` date
flips in the same transaction as the e-mail is queued, so a second sweep sends nothing.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from cxloop.dashboards import queries
from cxloop.dashboards.tables import Figure
from cxloop.dashboards.visibility import visibility_for
from cxloop.digest.models import DigestSubscription
from cxloop.followup.models import FollowUpCase
from cxloop.lib.locale import staff_language
from cxloop.messaging.links import marker
from cxloop.messaging.services import queue_email
from cxloop.orgs.capabilities import Capability, roles_granting
from cxloop.orgs.models import Employee, Membership, Unit

DIGEST_HOUR = 7
STOP_SALT = "cxloop.digest-stop"


@dataclass(frozen=True)
class Digest:
    """What one person reads in the morning."""

    employee: Employee | None
    yesterday: queries.Scores | None
    week: queries.Scores | None
    verbatims: list[queries.Verbatim]
    compliments: list[queries.Verbatim]
    my_cases: list[FollowUpCase]
    team_units: list[Unit]
    team_week: list[
        Figure
    ]  # each led unit's NPS over the last 7 days, as the anonymity rule allows
    team_overdue: int

    @property
    def empty(self) -> bool:
        has_scores = (self.week is not None and self.week.n) or any(f.n for f in self.team_week)
        return not (has_scores or self.verbatims or self.my_cases or self.team_overdue)


def build_digest(*, user: User, today: date) -> Digest:
    """The digest of one user for the morning of `today`."""
    employee = Employee.objects.filter(user=user).select_related("unit").first()
    yesterday = queries.Filters(since=today - timedelta(days=1), until=today - timedelta(days=1))
    week = queries.Filters(since=today - timedelta(days=7), until=today - timedelta(days=1))
    team_roles = roles_granting(Capability.RECEIVE_TEAM_DIGEST, in_unit=True)
    led = list(
        Unit.objects.filter(memberships__user=user, memberships__role__in=team_roles)
        .select_related("organisation")
        .distinct()
    )
    verbatims = (
        queries.verbatims_for_employee(employee=employee, filters=yesterday, limit=10)
        if employee
        else []
    )
    open_cases = Q(status__in=["new", "contacted", "in_progress", "waiting"])
    team_q = Q()
    for unit in led:
        team_q |= Q(unit__path__startswith=unit.path)
    return Digest(
        employee=employee,
        yesterday=queries.scores_for_employee(employee=employee, filters=yesterday)
        if employee
        else None,
        week=queries.scores_for_employee(employee=employee, filters=week) if employee else None,
        verbatims=[v for v in verbatims if (v.nps or 0) < 9],
        compliments=[v for v in verbatims if (v.nps or 0) >= 9],
        my_cases=list(
            FollowUpCase.objects.filter(open_cases, assignee__user=user).order_by("due_at")[:20]
        ),
        team_units=led,
        team_week=_team_week(user, led, today),
        team_overdue=FollowUpCase.objects.filter(
            open_cases, team_q, due_at__lt=timezone.now()
        ).count()
        if led
        else 0,
    )


def _team_week(user: User, led: list[Unit], today: date) -> list[Figure]:
    """Each led unit's NPS over the 7-day preset (the same figure, and the same decision of the
    anonymity rule, as the unit's page shows this lead this morning)."""
    week = queries.Filters(since=today - timedelta(days=6), until=today)
    decided = {}
    figures = []
    for unit in led:
        if unit.organisation_id not in decided:
            decided[unit.organisation_id] = visibility_for(
                user=user, organisation=unit.organisation, preset=7, today=today
            )
        score = queries.scores_for_unit(unit=unit, filters=week).nps
        figures.append(decided[unit.organisation_id].figure(("unit", unit.pk), score))
    return figures


def stop_url(user: User) -> str:
    token = signing.dumps(user.pk, salt=STOP_SALT)
    return settings.BASE_URL + reverse("digest_stop", kwargs={"token": token})


def stop_link_for(user_id: int) -> str | None:
    """The stop link of a user's digest, made when the e-mail is sent (it is never stored)."""
    user = get_user_model().objects.filter(pk=user_id).first()
    return stop_url(user) if user is not None else None


def user_from_stop_token(token: str):
    try:
        return get_user_model().objects.filter(pk=signing.loads(token, salt=STOP_SALT)).first()
    except signing.BadSignature:
        return None


def set_enabled(*, user: User, enabled: bool) -> DigestSubscription:
    """Turn the daily digest on or off for a user."""
    subscription, _ = DigestSubscription.objects.update_or_create(
        user=user, defaults={"enabled": enabled}
    )
    return subscription


def recipients(*, today: date) -> list[User]:
    """Users with an e-mail address who are employees or team leads, did not opt out, and got nothing today."""
    team_roles = roles_granting(Capability.RECEIVE_TEAM_DIGEST, in_unit=True)
    leads = Membership.objects.filter(role__in=team_roles).values("user_id")
    return list(
        User.objects.filter(Q(employee__isnull=False) | Q(pk__in=leads), is_active=True)
        .exclude(email="")
        .exclude(digest__enabled=False)
        .exclude(digest__last_sent_on=today)
        .distinct()
        .order_by("pk")
    )


def send_daily_digests(*, now: datetime | None = None) -> int:
    """Queue today's digest for everyone due; returns how many were queued."""
    now = timezone.localtime(now or timezone.now())
    if now.hour < DIGEST_HOUR:
        return 0
    today = now.date()
    sent = 0
    for user in recipients(today=today):
        sent += _send_one(user, today)
    return sent


def _send_one(user: User, today: date) -> int:
    with transaction.atomic():
        subscription, _ = DigestSubscription.objects.get_or_create(user=user)
        claimed = (
            DigestSubscription.objects.filter(pk=subscription.pk, enabled=True)
            .exclude(last_sent_on=today)
            .update(last_sent_on=today)
        )
        if not claimed:
            return 0
        digest = build_digest(user=user, today=today)
        if digest.empty:
            return 0
        language = staff_language(user)
        context = {
            "digest": digest,
            "user": user,
            "today": today,
            "stop_url": marker("digest_stop"),
            "dashboard_url": settings.BASE_URL + reverse("home"),
            "cases_url": settings.BASE_URL + reverse("inbox"),
        }
        with translation.override(language):
            queue_email(
                organisation=digest.employee.organisation if digest.employee else None,
                recipient=user.email,
                subject=render_to_string("digest/subject.txt", context).strip(),
                text=render_to_string("digest/digest.txt", context),
                purpose="digest",
                subject_id=user.pk,
                links={"digest_stop": user.pk},
            )
    return 1
