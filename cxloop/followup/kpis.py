"""Closed-loop KPIs: pure functions over plain facts about cases and detractor responses.

No database here; `queries.kpi_facts` reads the facts for what a user may see. Definitions:

- closed-loop rate: detractor responses (NPS 0–6) in the period whose case has a first contact,
  over all detractor responses in the period (a detractor without a case counts as not closed);
- first contact within SLA: first_contact_at ≤ first_contact_due_at, over contacted cases
  that have a first-contact due time;
- resolved within SLA: resolved_at ≤ due_at, over resolved cases (due_at already includes the
  time the case waited for the customer, see services.resume);
- time to first contact: median of first_contact_at − opened_at, wall clock and working hours;
- customers informed: informed_at set, over cases resolved, informed, or closed as resolved;
- reassignments and hand-overs per case: their mean over the cases opened in the period;
- root-cause Pareto: cases per root cause, most first, with the cumulative share (Juran's
  "vital few": the first rows that reach ~80% are where the work pays off).
"""

import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from cxloop.followup import sla

T = TypeVar("T")

HOUR = timedelta(hours=1)
RESOLVED_STATUSES = frozenset({"resolved", "informed"})


@dataclass(frozen=True)
class CaseFacts:
    """What the KPIs need to know of one case."""

    organisation_id: int
    status: str
    opened_at: datetime
    due_at: datetime
    first_contact_due_at: datetime | None = None
    first_contact_at: datetime | None = None
    resolved_at: datetime | None = None
    informed_at: datetime | None = None
    closed_reason: str = ""
    reassignments: int = 0
    handovers: int = 0
    root_cause: str | None = None


@dataclass(frozen=True)
class Ratio:
    """A share with its counts, so that a page can show "7 of 9" beside "78%"."""

    numerator: int
    denominator: int

    @property
    def percent(self) -> float | None:
        return 100 * self.numerator / self.denominator if self.denominator else None


@dataclass(frozen=True)
class ParetoRow:
    root_cause: str
    count: int
    percent: float
    cumulative_percent: float


@dataclass(frozen=True)
class Kpis:
    """All KPIs of one scope and period."""

    cases: int
    closed_loop: Ratio
    first_contact_in_sla: Ratio
    resolved_in_sla: Ratio
    median_hours_to_first_contact: float | None
    median_working_hours_to_first_contact: float | None
    informed: Ratio
    reassignments_per_case: float | None
    handovers_per_case: float | None
    pareto: list[ParetoRow]


def _ratio(items: Iterable[T], counts: Callable[[T], bool]) -> Ratio:
    items = list(items)
    return Ratio(sum(1 for item in items if counts(item)), len(items))


def closed_loop_rate(detractors_contacted: Iterable[bool]) -> Ratio:
    """Detractor responses whose case reached the customer, over all detractor responses."""
    return _ratio(detractors_contacted, bool)


def first_contact_within_sla(cases: Iterable[CaseFacts]) -> Ratio:
    """Contacted cases whose first contact came no later than its due time."""
    contacted = [
        (c.first_contact_at, c.first_contact_due_at)
        for c in cases
        if c.first_contact_at is not None and c.first_contact_due_at is not None
    ]
    return _ratio(contacted, lambda times: times[0] <= times[1])


def resolved_within_sla(cases: Iterable[CaseFacts]) -> Ratio:
    """Resolved cases resolved no later than their (pause-adjusted) due time."""
    resolved = [(c.resolved_at, c.due_at) for c in cases if c.resolved_at is not None]
    return _ratio(resolved, lambda times: times[0] <= times[1])


def median(values: Iterable[float]) -> float | None:
    """The median, or None without values."""
    values = list(values)
    return statistics.median(values) if values else None


def median_hours_to_first_contact(cases: Iterable[CaseFacts]) -> float | None:
    """Median wall-clock hours from opening to the first contact, over contacted cases."""
    return median(
        (c.first_contact_at - c.opened_at) / HOUR for c in cases if c.first_contact_at is not None
    )


def median_working_hours_to_first_contact(
    cases: Iterable[CaseFacts], calendars: Mapping[int, sla.Calendar]
) -> float | None:
    """Median working hours to the first contact, each case on its organisation's calendar."""
    default = sla.Calendar()
    return median(
        sla.working_time_between(
            calendars.get(c.organisation_id, default), c.opened_at, c.first_contact_at
        )
        / HOUR
        for c in cases
        if c.first_contact_at is not None
    )


def _finished_as_resolved(case: CaseFacts) -> bool:
    return case.status in RESOLVED_STATUSES or (
        case.status == "closed" and case.closed_reason == "resolved"
    )


def customers_informed(cases: Iterable[CaseFacts]) -> Ratio:
    """Resolved (or closed as resolved) cases whose customer was told what was done."""
    return _ratio(
        [c for c in cases if _finished_as_resolved(c)], lambda c: c.informed_at is not None
    )


def mean_per_case(values: Sequence[int]) -> float | None:
    """The mean of a per-case count (reassignments, hand-overs), None without cases."""
    return sum(values) / len(values) if values else None


def root_cause_pareto(root_causes: Iterable[str | None]) -> list[ParetoRow]:
    """Cases per root cause, most first (ties by name), with the share and cumulative share in %."""
    counts = Counter(name for name in root_causes if name)
    total = sum(counts.values())
    rows, running = [], 0
    for name, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        running += count
        rows.append(ParetoRow(name, count, 100 * count / total, 100 * running / total))
    return rows


def summarise(
    cases: Sequence[CaseFacts],
    detractors_contacted: Iterable[bool],
    calendars: Mapping[int, sla.Calendar],
) -> Kpis:
    """Every KPI over the cases opened and the detractor responses given in one period."""
    return Kpis(
        cases=len(cases),
        closed_loop=closed_loop_rate(detractors_contacted),
        first_contact_in_sla=first_contact_within_sla(cases),
        resolved_in_sla=resolved_within_sla(cases),
        median_hours_to_first_contact=median_hours_to_first_contact(cases),
        median_working_hours_to_first_contact=median_working_hours_to_first_contact(
            cases, calendars
        ),
        informed=customers_informed(cases),
        reassignments_per_case=mean_per_case([c.reassignments for c in cases]),
        handovers_per_case=mean_per_case([c.handovers for c in cases]),
        pareto=root_cause_pareto(c.root_cause for c in cases),
    )
