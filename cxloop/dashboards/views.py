"""Dashboards by role: my own score, an employee for their lead, a unit, an organisation, the chain
and its journey types, and the journey-side analyses of each. Views resolve access, call one page
builder and render (or export a table of the page with ?format=csv|xlsx&table=...)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from cxloop.coaching.queries import notes_for
from cxloop.dashboards import exports, filters, queries
from cxloop.dashboards.pages.analyses import analysis_page
from cxloop.dashboards.pages.base import Page
from cxloop.dashboards.pages.chain import LEVEL_TEXT, chain_page, journey_page
from cxloop.dashboards.pages.people import employee_page, organisation_page, unit_page
from cxloop.dashboards.queries import Slice
from cxloop.dashboards.visibility import visibility_for
from cxloop.orgs.access import (
    Scope,
    access_employee,
    access_organisation,
    access_unit,
    may_coach,
    scope_for,
)
from cxloop.orgs.models import Chain, Employee, Organisation, Unit


def _state(
    request: HttpRequest, *, chain: Chain, slice: Slice
) -> tuple[filters.FilterState, queries.Choices]:
    today = timezone.localdate()
    when = filters.period(request.GET, today)
    choices = queries.filter_choices(chain=chain, slice=slice, since=when.since, until=when.until)
    return filters.parse(request.GET, choices, today=today), choices


def _respond(
    request: HttpRequest,
    template: str,
    page: Page,
    *,
    state: filters.FilterState,
    choices: queries.Choices,
    name: str,
    **context: object,
) -> HttpResponse:
    if exports.requested(request):
        exports.record_export(request, page.tables, context)
        return exports.respond(
            request, page.tables, name=name, about=filters.describe(state, choices)
        )
    return render(
        request,
        template,
        {
            "page": page,
            "state": state,
            "choices": choices,
            "periods": filters.PERIODS,
            "min_n": settings.CXLOOP_ANONYMITY_MIN,
            **context,
        },
    )


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each user to the widest view they have."""
    scope = scope_for(request.user)
    if scope.organisations:
        organisation = (
            Organisation.objects.filter(pk__in=scope.organisations).order_by("name").first()
        )
        return redirect("organisation_dashboard", slug=organisation.slug)
    if scope.led_unit_paths:
        unit = Unit.objects.filter(path=sorted(scope.led_unit_paths)[0]).first()
        return redirect("unit_dashboard", pk=unit.pk)
    if scope.employee is not None:
        return redirect("my_dashboard")
    return render(request, "dashboards/no_access.html")


def _employee_page(request: HttpRequest, employee: Employee, scope: Scope) -> HttpResponse:
    own = scope.employee is not None and scope.employee.pk == employee.pk
    state, choices = _state(
        request, chain=employee.organisation.chain, slice=Slice.of_employee(employee)
    )
    vis = visibility_for(
        user=request.user, organisation=employee.organisation, preset=state.preset, scope=scope
    )
    page = employee_page(employee=employee, state=state, own=own, with_cases=own, vis=vis)
    coaches = may_coach(scope, employee)
    notes = notes_for(employee=employee) if own or coaches else None
    return _respond(
        request,
        "dashboards/employee.html",
        page,
        state=state,
        choices=choices,
        name=employee.name,
        employee=employee,
        own=own,
        notes=notes,
        coaches=coaches,
    )


@login_required
def my_dashboard(request: HttpRequest) -> HttpResponse:
    """The logged-in employee's own scores, trend, verbatims, compliments, follow-ups and coaching notes."""
    scope = scope_for(request.user)
    if scope.employee is None:
        raise Http404
    employee = Employee.objects.select_related("unit", "organisation__chain").get(
        pk=scope.employee.pk
    )
    return _employee_page(request, employee, scope)


@login_required
def employee_dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    """One employee, for their lead or an organisation-wide reader (or themselves)."""
    employee = access_employee(request.user, pk)
    return _employee_page(request, employee, scope_for(request.user))


@login_required
def unit_dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    """A unit: its scores rolled up, against the rest of its parent, the units below it, each member."""
    unit = access_unit(request.user, pk)
    scope = scope_for(request.user)
    sees_parent = scope.sees_organisation(unit.organisation_id) or (
        unit.parent is not None and scope.sees_unit(unit.parent)
    )
    state, choices = _state(request, chain=unit.organisation.chain, slice=Slice.of_unit(unit))
    vis = visibility_for(
        user=request.user, organisation=unit.organisation, preset=state.preset, scope=scope
    )
    page = unit_page(unit=unit, state=state, sees_parent=sees_parent, vis=vis)
    return _respond(
        request,
        "dashboards/unit.html",
        page,
        state=state,
        choices=choices,
        name=unit.name,
        unit=unit,
    )


@login_required
def organisation_dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    """An organisation: its scores and every unit rolled up over the hierarchy, drill down from there."""
    organisation = access_organisation(request.user, slug)
    state, choices = _state(
        request, chain=organisation.chain, slice=Slice.of_organisation(organisation)
    )
    vis = visibility_for(user=request.user, organisation=organisation, preset=state.preset)
    page = organisation_page(organisation=organisation, state=state, vis=vis)
    return _respond(
        request,
        "dashboards/organisation.html",
        page,
        state=state,
        choices=choices,
        name=organisation.name,
        organisation=organisation,
        score=page.cards[0].figure,
        units=page.extra.get("tree", []),
    )


def _analysis(
    request: HttpRequest,
    *,
    chain: Chain,
    slice: Slice,
    name: str,
    own: Slice | None = None,
    people: bool = False,
    **context: object,
) -> HttpResponse:
    state, choices = _state(request, chain=chain, slice=slice)
    page = analysis_page(slice=slice, state=state, choices=choices, own=own, people=people)
    return _respond(
        request,
        "dashboards/analysis.html",
        page,
        state=state,
        choices=choices,
        name=f"{name} analysis",
        subject=name,
        **context,
    )


@login_required
def organisation_analysis(request: HttpRequest, slug: str) -> HttpResponse:
    """Channel × journey, contact impact, moments of truth and response times of one organisation."""
    organisation = access_organisation(request.user, slug)
    return _analysis(
        request,
        chain=organisation.chain,
        slice=Slice.of_organisation(organisation),
        name=organisation.name,
        organisation=organisation,
    )


@login_required
def unit_analysis(request: HttpRequest, pk: int) -> HttpResponse:
    """The same analyses for one unit and the units below it."""
    unit = access_unit(request.user, pk)
    return _analysis(
        request,
        chain=unit.organisation.chain,
        slice=Slice.of_unit(unit),
        name=unit.name,
        people=True,
        unit=unit,
    )


@login_required
def chain_dashboard(request: HttpRequest) -> HttpResponse:
    """Every journey type the user may see across the chain, as far as their role or agreement allows."""
    views = queries.journey_views_for(request.user)
    if not views:
        return render(request, "dashboards/chain_empty.html")
    chain = views[0].journey_type.chain
    views = [v for v in views if v.journey_type.chain_id == chain.pk]
    slice = Slice(journey_type_ids=frozenset(v.journey_type.pk for v in views))
    state, choices = _state(request, chain=chain, slice=slice)
    page = chain_page(
        views=views,
        state=state,
        choices=choices,
        organisations=queries.organisations_in(chain=chain),
    )
    return _respond(
        request,
        "dashboards/chain.html",
        page,
        state=state,
        choices=choices,
        name=chain.name,
        chain=chain,
    )


@login_required
def journey_dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    """One journey type across the chain: totals, each partner's part, touchpoints (as the agreement allows)."""
    view = queries.access_journey_type(request.user, pk)
    chain = view.journey_type.chain
    state, choices = _state(request, chain=chain, slice=view.slice())
    page = journey_page(view=view, state=state, organisations=queries.organisations_in(chain=chain))
    return _respond(
        request,
        "dashboards/journey.html",
        page,
        state=state,
        choices=choices,
        name=view.journey_type.name,
        view=view,
        level=LEVEL_TEXT[view.level](),
    )


@login_required
def journey_analysis(request: HttpRequest, pk: int) -> HttpResponse:
    """The journey-side analyses of one journey type, over what the user may see of it."""
    view = queries.access_journey_type(request.user, pk)
    return _analysis(
        request,
        chain=view.journey_type.chain,
        slice=view.slice(),
        own=view.own_slice() if view.level == "totals" else None,
        name=view.journey_type.name,
        view=view,
    )
