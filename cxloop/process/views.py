"""Journey analysis pages: process map, variants, hand-overs, stuck journeys, repeat contacts, NPS.

Every page works for a journey type (cxloop's own interactions) and for an imported event log;
filters live in the query string, and every number links to the cases behind it.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

import numpy as np
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cxloop.lib.auth import AuthenticatedHttpRequest
from cxloop.lib.forms import form_field
from cxloop.orgs.models import Organisation
from cxloop.process import mining, processmap, queries, services
from cxloop.process.forms import Filters, UploadForm
from cxloop.process.models import EventLog
from cxloop.process.readers import LogFormatError, micros_to_datetime

MAX_CASES_LISTED = 500
HANDOVER_TOP = 4  # journeys with 4 or more hand-overs share one row
REPEAT_TOP = 3


@dataclass
class Source:
    """What a page analyses: a journey type as the user may see it, or an imported log."""

    kind: str  # "journeys" or "logs"
    pk: int
    title: str
    access: queries.JourneyAccess | None = None
    log: EventLog | None = None

    @property
    def resources(self) -> list[tuple[str, str]]:
        if self.kind == "journeys":
            return [
                ("employee", _("employees")),
                ("unit", _("units")),
                ("organisation", _("organisations")),
            ]
        return [("resource", _("resources")), ("organisation", _("organisations"))]

    @property
    def organisations(self) -> list[Organisation]:
        if self.access is None or not self.access.is_owner:
            return []
        return list(
            Organisation.objects.filter(chain_id=self.access.journey_type.chain_id).order_by("name")
        )


def _source(request: HttpRequest, kind: str, pk: int | str) -> Source:
    pk = int(pk)  # the URL pattern hands it over as text
    if kind == "journeys":
        access = queries.access_journey_type(request.user, pk)
        title = access.journey_type.name
        if access.partner is not None:
            title = _("%(journey)s, as %(partner)s") % {
                "journey": title,
                "partner": access.partner.name,
            }
        return Source(kind, pk, title, access=access)
    log = queries.access_event_log(request.user, pk)
    return Source(kind, pk, log.name, log=log)


@dataclass
class Page:
    """What every analysis page needs: the source, its filters and the dataset they select."""

    request: HttpRequest
    source: Source
    filters: Filters
    dataset: queries.Dataset

    @property
    def log(self) -> mining.Log:
        return self.dataset.log

    def link(self, name: str, **params: object) -> str:
        """A page of the same source with the same filters, plus `params`."""
        query = {k: v for k, v in self.request.GET.items() if k not in params}
        query.update({k: str(v) for k, v in params.items() if v is not None})
        url = reverse(f"process:{name}", args=[self.source.kind, self.source.pk])
        return f"{url}?{urlencode(query)}" if query else url

    def context(self, tab: str, **extra: object) -> dict[str, object]:
        tabs = [
            ("map", _("Process map")),
            ("variants", _("Variants")),
            ("handover", _("Hand-overs")),
            ("stuck", _("Stuck")),
        ]
        if self.source.kind == "journeys":
            tabs += [("repeats", _("Repeat contacts")), ("nps", _("NPS per path"))]
        return {
            "source": self.source,
            "filters": self.filters,
            "tab": tab,
            "tabs": [(name, label, self.link(name)) for name, label in tabs],
            "cases": self.log.cases,
            "events": self.log.events,
            "query": self.request.GET.urlencode(),
            **extra,
        }


def _page(request: HttpRequest, kind: str, pk: int) -> Page | HttpResponse:
    source = _source(request, kind, pk)
    if source.log is not None and source.log.status != EventLog.Status.READY:
        return redirect("process:log", pk=source.log.pk)
    filters = Filters(request.GET)
    period = queries.Period(filters.value("since"), filters.value("until"))  # type: ignore[arg-type]  # the form falls back to its DEFAULTS: never None here
    resources = dict(source.resources)
    by = str(filters.value("by") or next(iter(resources)))
    by = by if by in resources else next(iter(resources))
    if source.access is not None:
        slug = filters.value("organisation")
        organisation = next((o for o in source.organisations if o.slug == slug), None)
        dataset = queries.journey_dataset(
            access=source.access,
            period=period,
            organisation=organisation,
            resource=by,
            now=timezone.now(),
        )
    else:
        assert source.log is not None
        dataset = queries.log_dataset(log=source.log, period=period, resource=by)
    return Page(request, source, filters, dataset)


# --- pages --------------------------------------------------------------------------------------


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The journey types and imported logs the user may analyse."""
    journey_types = queries.analysable_journey_types(request.user)
    organisations = queries.log_organisations(request.user)
    if not journey_types and not organisations:
        raise Http404
    return render(
        request,
        "process/index.html",
        {
            "journey_types": journey_types,
            "logs": queries.analysable_logs(request.user)[:100],
            "can_upload": bool(organisations),
        },
    )


@login_required
def process_map(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """The directly-follows graph drawn as a map, with durations and the waiting time before each step."""
    page = _page(request, kind, pk)
    if isinstance(page, HttpResponse):
        return page
    log = page.log
    metric = str(page.filters.value("metric"))
    edges = mining.directly_follows(log)
    shown = edges[: page.filters.number("top")]
    starts, ends = mining.start_end_activities(log)
    counts = dict(
        zip(
            log.table.activity_names,
            np.bincount(log.activity, minlength=len(log.table.activity_names)).tolist(),
            strict=True,
        )
    )
    on_map = {e.source for e in shown} | {e.target for e in shown}
    if not on_map:
        on_map = set(sorted(starts, key=lambda a: -starts[a])[:10])
    slowest = max((e.mean_seconds for e in shown), default=0.0) or 1.0
    map_edges = [
        processmap.MapEdge(
            e.source,
            e.target,
            e.frequency,
            _edge_label(e, metric),
            heat=e.mean_seconds / slowest if metric != "frequency" else 0.0,
            href=page.link("cases", src=e.source, dst=e.target),
        )
        for e in shown
    ]
    svg = processmap.render(
        {a: counts[a] for a in on_map if counts.get(a)},
        map_edges,
        {a: n for a, n in starts.items() if a in on_map},
        {a: n for a, n in ends.items() if a in on_map},
        title=_("Process map of %(name)s: %(n)s most frequent steps")
        % {"name": page.source.title, "n": len(shown)},
    )
    durations = mining.summarise_durations(mining.case_durations(log))
    return render(
        request,
        "process/map.html",
        page.context(
            "map",
            svg=mark_safe(svg),  # built by processmap with every name escaped
            edges=[(e, page.link("cases", src=e.source, dst=e.target)) for e in edges[:200]],
            hidden_edges=max(0, len(edges) - len(shown)),
            durations=durations,
            waiting=mining.waiting_times(log)[:50],
            metric=metric,
        ),
    )


def _edge_label(edge: mining.Edge, metric: str) -> str:
    if metric == "mean":
        return processmap.format_seconds(edge.mean_seconds)
    if metric == "median":
        return processmap.format_seconds(edge.median_seconds)
    return f"{edge.frequency:,}"


@login_required
def variants(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """Distinct paths through the journey, most frequent first, with their durations."""
    page = _page(request, kind, pk)
    if isinstance(page, HttpResponse):
        return page
    found = mining.variants(page.log)
    durations = mining.case_durations(page.log)
    total = page.log.cases or 1
    rows, covered = [], 0
    for variant in found[:200]:
        covered += variant.count
        rows.append(
            {
                "variant": variant,
                "share": 100 * variant.count / total,
                "cumulative": 100 * covered / total,
                "median": mining.percentile(np.sort(durations[variant.cases]), 0.5),
                "href": page.link("cases", variant=mining.variant_key(variant.activities)),
            }
        )
    return render(
        request,
        "process/variants.html",
        page.context(
            "variants", rows=rows, variant_count=len(found), more=max(0, len(found) - len(rows))
        ),
    )


@login_required
def handover(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """Who hands work to whom: a matrix of the busiest resources, and ping-pong between pairs."""
    page = _page(request, kind, pk)
    if isinstance(page, HttpResponse):
        return page
    analysis = mining.handover_of_work(page.log)
    with_self = page.filters.value("self_handover") == "yes"
    pairs = analysis.handovers if with_self else analysis.without_self
    involvement: dict[str, int] = {}
    for h in pairs:
        involvement[h.source] = involvement.get(h.source, 0) + h.count
        involvement[h.target] = involvement.get(h.target, 0) + h.count
    people = sorted(involvement, key=lambda r: (-involvement[r], r))[: page.filters.number("top")]
    cells = {(h.source, h.target): h.count for h in pairs}
    top = max(cells.values(), default=1)
    matrix = [
        (
            source,
            [_cell(page, cells.get((source, target), 0), top, source, target) for target in people],
        )
        for source in people
    ]
    per_case = (
        np.bincount(analysis.per_case, minlength=1).tolist() if len(analysis.per_case) else []
    )
    return render(
        request,
        "process/handover.html",
        page.context(
            "handover",
            people=people,
            matrix=matrix,
            total=sum(cells.values()),
            resource_count=len(involvement),
            pingpong=[
                (h, page.link("cases", hsrc=h.source, hdst=h.target))
                for h in analysis.pingpong[:50]
            ],
            per_case=[
                (bucket, n, page.link("cases", handovers=bucket))
                for bucket, n in _buckets(per_case, HANDOVER_TOP)
            ],
            resource_label=dict(page.source.resources)[page.dataset.resource_label],
        ),
    )


def _cell(page: Page, count: int, top: int, source: str, target: str) -> dict[str, object]:
    return {
        "count": count,
        "alpha": round(0.08 + 0.72 * count / top, 2) if count else 0,
        "dark": count / top > 0.55,
        "href": page.link("cases", hsrc=source, hdst=target) if count else None,
        "title": f"{source} → {target}",
    }


def _buckets(histogram: list[int], top: int) -> list[tuple[str, int]]:
    """Counts of cases with 0, 1, ... and `top`+ of something."""
    result = [(str(i), histogram[i] if i < len(histogram) else 0) for i in range(top)]
    return result + [(f"{top}+", sum(histogram[top:]))]


@login_required
def stuck(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """Open journeys without an event for longer than the threshold, and where they are stuck."""
    page = _page(request, kind, pk)
    if isinstance(page, HttpResponse):
        return page
    days = page.filters.number("days")
    finished = request.GET.getlist("end")
    found = _stuck(page, days, finished)
    by_activity: dict[str, int] = {}
    for case in found:
        by_activity[case.last_activity] = by_activity.get(case.last_activity, 0) + 1
    ends = mining.start_end_activities(page.log)[1]
    return render(
        request,
        "process/stuck.html",
        page.context(
            "stuck",
            days=days,
            finished=finished,
            end_activities=sorted(ends.items(), key=lambda item: -item[1]),
            as_of=micros_to_datetime(page.dataset.now),
            by_activity=[
                (a, n, page.link("cases", stuck=a))
                for a, n in sorted(by_activity.items(), key=lambda i: -i[1])
            ],
            rows=[
                (
                    c,
                    page.log.case_name(c.case),
                    micros_to_datetime(c.last_timestamp),
                    c.idle_seconds / 86400,
                )
                for c in found[:200]
            ],
            total=len(found),
            needs_end=page.source.kind == "logs" and not finished,
        ),
    )


def _stuck(page: Page, days: int, finished: list[str]) -> list[mining.StuckCase]:
    log = page.log
    open_cases: list[bool] = page.dataset.open_cases
    if page.source.kind == "logs":
        if not finished:
            return []
        names = log.table.activity_names
        last = [names[a] for a in log.activity[log.ends - 1].tolist()] if log.cases else []
        open_cases = [activity not in finished for activity in last]
    return mining.stuck_cases(
        log, as_of=page.dataset.now, idle_seconds=days * 86400, open_cases=open_cases
    )


@login_required
def repeats(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """Failure demand: the same customer in touch again within N days in one journey."""
    page = _page(request, kind, pk)
    if isinstance(page, HttpResponse):
        return page
    if page.source.kind != "journeys":
        raise Http404
    window = page.filters.number("window")
    rows, per_case = mining.repeat_contacts(page.dataset.contacts, window_seconds=window * 86400)
    histogram = np.bincount(list(per_case.values())).tolist() if per_case else []
    return render(
        request,
        "process/repeats.html",
        page.context(
            "repeats",
            window=window,
            rows=[(r, 100 * r.repeats / r.contacts if r.contacts else 0) for r in rows],
            per_case=[
                (b, n, page.link("cases", repeats=b)) for b, n in _buckets(histogram, REPEAT_TOP)
            ],
            contacts=sum(r.contacts for r in rows),
            repeated=sum(r.repeats for r in rows),
        ),
    )


@login_required
def nps(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """Where the score is lost: NPS per variant, per number of hand-overs and per repeat contacts."""
    page = _page(request, kind, pk)
    if isinstance(page, HttpResponse):
        return page
    if page.source.kind != "journeys":
        raise Http404
    log, dataset = page.log, page.dataset
    found = mining.variants(log)
    variant_of = mining.variant_of_cases(found, log.cases)
    names = [log.case_name(i) for i in range(log.cases)]
    handovers = mining.handover_of_work(log).per_case.tolist()
    window = page.filters.number("window")
    repeat_count = mining.repeat_contacts(dataset.contacts, window_seconds=window * 86400)[1]
    by_variant = queries.scores_by(dataset, {n: variant_of[i] for i, n in enumerate(names)})
    by_handover = queries.scores_by(
        dataset, {n: mining.bucket(handovers[i], HANDOVER_TOP) for i, n in enumerate(names)}
    )
    by_repeat = queries.scores_by(
        dataset, {n: mining.bucket(repeat_count.get(n, 0), REPEAT_TOP) for n in names}
    )
    variant_rows = [
        (
            found[i],
            by_variant[i],
            page.link("cases", variant=mining.variant_key(found[i].activities)),
        )
        for i in sorted(by_variant, key=lambda i: (-by_variant[i].n, i))[:20]
    ]
    return render(
        request,
        "process/nps.html",
        page.context(
            "nps",
            window=window,
            variant_rows=variant_rows,
            handover_rows=[
                (b, by_handover[b], page.link("cases", handovers=b)) for b in _order(by_handover)
            ],
            repeat_rows=[
                (b, by_repeat[b], page.link("cases", repeats=b)) for b in _order(by_repeat)
            ],
            answers=len(dataset.scores),
            min_n=settings.CXLOOP_ANONYMITY_MIN,
            resource_label=dict(page.source.resources)[dataset.resource_label],
        ),
    )


def _order(buckets: dict) -> list[str]:
    return sorted(buckets, key=lambda b: int(b.rstrip("+")))


@login_required
def cases(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """The journeys (cases) behind a number on another page."""
    page = _page(request, kind, pk)
    if isinstance(page, HttpResponse):
        return page
    description, indices = _selected_cases(page)
    return render(
        request,
        "process/cases.html",
        page.context(
            "cases",
            description=description,
            total=len(indices),
            rows=list(queries.case_rows(page.dataset, indices, MAX_CASES_LISTED)),
            limit=MAX_CASES_LISTED,
        ),
    )


def _selected_cases(page: Page) -> tuple[str, list[int]]:
    get, log = page.request.GET, page.log
    if "variant" in get:
        found = next(
            (v for v in mining.variants(log) if mining.variant_key(v.activities) == get["variant"]),
            None,
        )
        label = " → ".join(found.activities) if found else get["variant"]
        return _("following the path %(path)s") % {"path": label}, sorted(
            found.cases
        ) if found else []
    if "src" in get and "dst" in get:
        return (
            _("where %(b)s directly follows %(a)s") % {"a": get["src"], "b": get["dst"]},
            mining.edge_cases(log, get["src"], get["dst"]),
        )
    if "hsrc" in get and "hdst" in get:
        return (
            _("where work passes from %(a)s to %(b)s") % {"a": get["hsrc"], "b": get["hdst"]},
            mining.handover_cases(log, get["hsrc"], get["hdst"]),
        )
    if "handovers" in get:
        per_case = mining.handover_of_work(log).per_case.tolist()
        return (
            _("with %(n)s hand-over(s) to someone else") % {"n": get["handovers"]},
            [
                i
                for i, n in enumerate(per_case)
                if mining.bucket(n, HANDOVER_TOP) == get["handovers"]
            ],
        )
    if "repeats" in get:
        window = page.filters.number("window")
        per_case = mining.repeat_contacts(page.dataset.contacts, window_seconds=window * 86400)[1]
        wanted = get["repeats"]
        return (
            _("with %(n)s repeat contact(s) within %(d)s days") % {"n": wanted, "d": window},
            [
                i
                for i in range(log.cases)
                if mining.bucket(per_case.get(log.case_name(i), 0), REPEAT_TOP) == wanted
            ],
        )
    if "stuck" in get:
        days = page.filters.number("days")
        found_stuck = [
            c.case
            for c in _stuck(page, days, get.getlist("end"))
            if c.last_activity == get["stuck"]
        ]
        return _("stuck after %(a)s for more than %(d)s days") % {
            "a": get["stuck"],
            "d": days,
        }, sorted(found_stuck)
    return _("all cases"), list(range(log.cases))


# --- imported logs ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Upload an event log; a worker reads it while its page shows the progress."""
    organisations = queries.log_organisations(request.user)
    if not organisations:
        raise Http404
    form = UploadForm(
        request.POST or None, request.FILES or None, initial={"organisation": organisations[0]}
    )
    form_field(form, "organisation", forms.ModelChoiceField).queryset = Organisation.objects.filter(
        pk__in=[o.pk for o in organisations]
    )
    if request.method == "POST" and form.is_valid():
        try:
            log = services.receive_upload(
                organisation=form.cleaned_data["organisation"],
                name=form.cleaned_data["name"],
                upload=form.cleaned_data["file"],
                columns=form.columns(),
                uploaded_by=request.user,
            )
        except LogFormatError as error:
            form.add_error("file", str(error))
        else:
            return redirect("process:log", pk=log.pk)
    return render(request, "process/upload.html", {"form": form})


@login_required
def log_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An imported log: its progress while it is read, then its counts and bad rows."""
    log = queries.access_event_log(request.user, pk)
    response = render(
        request,
        "process/log.html",
        {
            "log": log,
            "percent": round(100 * log.progress),
            "columns": log.columns,
        },
    )
    if log.busy:
        response["Refresh"] = (
            "2"  # the page reloads itself while a worker reads the log, without JavaScript
        )
    return response


@login_required
@require_POST
def log_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove an imported log and its events."""
    log = queries.access_event_log(request.user, pk)
    services.delete_event_log(log=log)
    messages.success(request, _("The event log %(name)s was removed.") % {"name": log.name})
    return redirect("process:index")
