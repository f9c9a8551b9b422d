"""Reads of follow-up cases, scoped to what a user may work on."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from cxloop.followup.models import FollowUpCase
from cxloop.orgs.access import Scope, scope_for


def _visible(scope: Scope, user: AbstractBaseUser | AnonymousUser) -> Q:
    visible = Q(assignee__user=user) if user.is_authenticated else Q(pk__in=[])
    if scope.admin_of:
        visible |= Q(organisation_id__in=scope.admin_of)
    for path in scope.led_unit_paths:
        visible |= Q(unit__path__startswith=path)
    return visible


def cases_for(*, user: AbstractBaseUser | AnonymousUser, show: str = "open") -> QuerySet[FollowUpCase]:
    """The cases a user may see, filtered to mine, team, overdue, open or all, soonest due first."""
    scope = scope_for(user)
    cases = FollowUpCase.objects.filter(_visible(scope, user)).select_related(
        "assignee", "unit", "response__customer", "response__channel", "response__employee"
    )
    if show == "mine":
        cases = cases.filter(assignee__user=user).exclude(status=FollowUpCase.Status.CLOSED)
    elif show == "overdue":
        cases = cases.exclude(status=FollowUpCase.Status.CLOSED).filter(due_at__lt=timezone.now())
    elif show == "closed":
        cases = cases.filter(status=FollowUpCase.Status.CLOSED)
    elif show != "all":
        cases = cases.exclude(status=FollowUpCase.Status.CLOSED)
    return cases.order_by("due_at", "pk")


def access_case(user: AbstractBaseUser | AnonymousUser, pk: int) -> FollowUpCase:
    """A case the user may see, else 404."""
    case = cases_for(user=user, show="all").filter(pk=pk).first()
    if case is None:
        raise Http404
    return case
