"""Dashboards: my own score, my team, my organisation's units rolled up."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from cxloop.dashboards import queries
from cxloop.orgs.access import access_employee, access_organisation, access_unit, scope_for
from cxloop.orgs.models import Organisation, Unit

PERIODS = (30, 90, 180, 365)


def _period(request: HttpRequest) -> tuple[int, timezone.datetime]:
    try:
        days = int(request.GET.get("days", 90))
    except ValueError:
        days = 90
    days = days if days in PERIODS else 90
    return days, timezone.now() - timedelta(days=days)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each user to the widest view they have."""
    scope = scope_for(request.user)
    if scope.organisations:
        organisation = Organisation.objects.filter(pk__in=scope.organisations).order_by("name").first()
        return redirect("organisation_dashboard", slug=organisation.slug)
    if scope.led_unit_paths:
        unit = Unit.objects.filter(path=sorted(scope.led_unit_paths)[0]).first()
        return redirect("unit_dashboard", pk=unit.pk)
    if scope.employee is not None:
        return redirect("my_dashboard")
    return render(request, "dashboards/no_access.html")


def _employee_page(request: HttpRequest, employee, *, own: bool) -> HttpResponse:
    days, since = _period(request)
    context = {
        "employee": employee,
        "own": own,
        "days": days,
        "periods": PERIODS,
        "score": queries.nps_for_employee(employee=employee, since=since),
        "team_score": queries.nps_for_unit(unit=employee.unit, since=since),
        "verbatims": queries.verbatims_for_employee(employee=employee, since=since),
        "min_n": settings.CXLOOP_ANONYMITY_MIN,
    }
    return render(request, "dashboards/employee.html", context)


@login_required
def my_dashboard(request: HttpRequest) -> HttpResponse:
    """The logged-in employee's own score and the verbatims about them."""
    employee = scope_for(request.user).employee
    if employee is None:
        raise Http404
    return _employee_page(request, employee, own=True)


@login_required
def employee_dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    """One employee, for their lead or an organisation-wide reader."""
    employee = access_employee(request.user, pk)
    return _employee_page(request, employee, own=employee.user_id == request.user.pk)


@login_required
def unit_dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    """A unit: its score rolled up, the units below it, each member, the verbatims."""
    unit = access_unit(request.user, pk)
    days, since = _period(request)
    context = {
        "unit": unit,
        "days": days,
        "periods": PERIODS,
        "score": queries.nps_for_unit(unit=unit, since=since),
        "subunits": queries.unit_tree(organisation=unit.organisation, since=since, root=unit)[1:],
        "members": queries.members_of_unit(unit=unit, since=since),
        "verbatims": queries.verbatims_for_unit(unit=unit, since=since),
        "min_n": settings.CXLOOP_ANONYMITY_MIN,
    }
    return render(request, "dashboards/unit.html", context)


@login_required
def organisation_dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    """An organisation: its NPS and every unit rolled up over the hierarchy."""
    organisation = access_organisation(request.user, slug)
    days, since = _period(request)
    context = {
        "organisation": organisation,
        "days": days,
        "periods": PERIODS,
        "score": queries.nps_for_organisation(organisation=organisation, since=since),
        "units": queries.unit_tree(organisation=organisation, since=since),
        "min_n": settings.CXLOOP_ANONYMITY_MIN,
    }
    return render(request, "dashboards/organisation.html", context)
