"""The drivers page (importance × performance, topic impact, last contact and loyalty) and eNPS beside NPS."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cxloop.dashboards import anonymity
from cxloop.drivers import queries, services
from cxloop.drivers.charts import Point, scatter
from cxloop.lib.auth import AuthenticatedHttpRequest
from cxloop.orgs.access import access_organisation
from cxloop.orgs.capabilities import Capability, can

PERIODS = (30, 90, 180, 365)
MAX_UPLOAD = 2_000_000


def _days(request: HttpRequest) -> int:
    try:
        days = int(request.GET.get("days", 365))
    except ValueError:
        return 365
    return days if days in PERIODS else 365


def _chart(analysis: queries.DriverAnalysis) -> str:
    if not analysis.drivers:
        return ""
    points = [Point(d.label, d.performance, d.weight_percent) for d in analysis.drivers]
    mean_x = sum(p.x for p in points) / len(points)
    mean_y = sum(p.y for p in points) / len(points)
    top = max(p.y for p in points)
    # Built from numbers and escaped labels only.
    return mark_safe(
        scatter(  # noqa: S308
            points,
            x_label=_("Performance (0–100)"),
            y_label=_("Importance (% of explained variance)"),
            x_range=(0, 100),
            y_range=(0, max(5.0, top * 1.1)),
            quadrants=(mean_x, mean_y),
            quadrant_label=_("fix first"),
            title=_("Importance × performance"),
        )
    )


@login_required
def drivers_page(request: HttpRequest, slug: str) -> HttpResponse:
    """What drives the score, what to fix first, what topics cost, and what the last contact does to loyalty."""
    organisation = access_organisation(request.user, slug)
    days = _days(request)
    target = request.GET.get("target", "nps")
    target = target if target in queries.TARGETS else "nps"
    since = timezone.now() - timedelta(days=days)
    analysis = queries.driver_analysis(organisation=organisation, since=since, target=target)
    context = {
        "organisation": organisation,
        "days": days,
        "periods": PERIODS,
        "target": target,
        "analysis": analysis,
        "chart": _chart(analysis),
        "impacts": queries.topic_impacts(organisation=organisation, since=since),
        "loyalty": queries.last_experience_loyalty(organisation=organisation, since=since),
    }
    return render(request, "drivers/drivers.html", context)


@login_required
def employees_page(request: HttpRequest, slug: str) -> HttpResponse:
    """eNPS per unit beside the customers' NPS of the same units and period, with their correlation."""
    organisation = access_organisation(request.user, slug)
    view = queries.enps_vs_nps(organisation=organisation)
    points = [
        Point(p.unit, p.enps, p.nps.score)
        for p in view.pairs
        if p.enps is not None and p.nps.score is not None
    ]
    chart = ""
    if points:
        chart = mark_safe(
            scatter(  # noqa: S308
                points,
                x_label="eNPS",
                y_label="NPS",
                x_range=(-100, 100),
                y_range=(-100, 100),
                title=_("eNPS and NPS per unit"),
            )
        )
    context = {
        "organisation": organisation,
        "view": view,
        "chart": chart,
        "can_edit": can(request.user, Capability.IMPORT_EMPLOYEE_SURVEYS, organisation),
        "min_n": anonymity.minimum(),
    }
    return render(request, "drivers/employees.html", context)


@login_required
@require_POST
def employees_import(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """Import a CSV of employee survey results."""
    organisation = access_organisation(request.user, slug)
    if not can(request.user, Capability.IMPORT_EMPLOYEE_SURVEYS, organisation):
        raise Http404
    upload = request.FILES.get("file")
    if upload is None or upload.size is None or upload.size > MAX_UPLOAD:
        messages.error(request, _("Choose a CSV file of at most 2 MB."))
        return redirect("drivers_employees", slug=slug)
    try:
        content = upload.read().decode("utf-8-sig")
        record = services.import_employee_survey(
            organisation=organisation,
            content=content,
            filename=upload.name or "",
            user=request.user,
        )
    except (UnicodeDecodeError, services.ImportRejected) as error:
        messages.error(
            request,
            str(error)
            if isinstance(error, services.ImportRejected)
            else _("The file is not UTF-8 text."),
        )
        return redirect("drivers_employees", slug=slug)
    messages.success(
        request,
        _("%(rows)s rows imported, %(errors)s rejected.")
        % {"rows": record.rows, "errors": len(record.errors)},
    )
    for rejected in record.errors[:10]:
        messages.warning(request, _("Line %(line)s: %(error)s") % rejected)
    return redirect("drivers_employees", slug=slug)
