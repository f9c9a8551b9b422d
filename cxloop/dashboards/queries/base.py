"""The building blocks of every read: the filters from the URL, the slice a read covers, and
scores summed from the daily roll-ups."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import (
    Q,
    QuerySet,
    Sum,
)

from cxloop import stats
from cxloop.dashboards.models import (
    COUNT_FIELDS,
    ChannelJourneyDayScore,
    DailyScore,
    EmployeeDayScore,
    UnitDayScore,
)
from cxloop.orgs.models import Employee, Organisation, Unit

# No default: Sum(default=0) wraps every sum in COALESCE, and compiling those costs Django more
# than PostgreSQL takes to sum a compact roll-up's rows. _scores reads a NULL (no rows) as 0.
SUMS = {name: Sum(name) for name in COUNT_FIELDS}


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


@dataclass(frozen=True)
class Filters:
    """The filters every dashboard shares; the URL holds them."""

    since: date
    until: date
    journey_type_id: int | None = None
    channel_id: int | None = None
    touchpoint_id: int | None = None
    segment: str = ""

    def previous(self) -> "Filters":
        """The same filters over the period just before this one, of equal length."""
        length = self.until - self.since + timedelta(days=1)
        return Filters(
            self.since - length,
            self.since - timedelta(days=1),
            self.journey_type_id,
            self.channel_id,
            self.touchpoint_id,
            self.segment,
        )

    def fields(self) -> set[str]:
        """The roll-up fields these filters narrow on (besides the day)."""
        names = ("journey_type_id", "channel_id", "touchpoint_id", "segment")
        return {name for name in names if getattr(self, name)}

    def q(self) -> Q:
        condition = Q(day__gte=self.since, day__lte=self.until)
        for name in ("journey_type_id", "channel_id", "touchpoint_id"):
            if getattr(self, name):
                condition &= Q(**{name: getattr(self, name)})
        if self.segment:
            condition &= Q(segment=self.segment)
        return condition

    def bounds(self) -> tuple[datetime, datetime]:
        """The period as [start, end) moments in the roll-ups' time zone (so an index on a timestamp serves)."""
        tz = _tz()
        return datetime.combine(self.since, time.min, tz), datetime.combine(
            self.until + timedelta(days=1), time.min, tz
        )

    def response_q(self, prefix: str = "") -> Q:
        """The same filters on the responses table (verbatims; answers with prefix "response__")."""
        start, end = self.bounds()
        condition = Q(**{f"{prefix}submitted_at__gte": start, f"{prefix}submitted_at__lt": end})
        for name in ("journey_type_id", "channel_id", "touchpoint_id"):
            if getattr(self, name):
                condition &= Q(**{f"{prefix}{name}": getattr(self, name)})
        if self.segment:
            condition &= Q(**{f"{prefix}customer__segment": self.segment})
        return condition

    def interaction_q(self) -> Q:
        """The same filters on interactions (response times): when asked, journey type, channel, touchpoint."""
        start, end = self.bounds()
        condition = Q(occurred_at__gte=start, occurred_at__lt=end)
        if self.journey_type_id:
            condition &= Q(journey__journey_type_id=self.journey_type_id)
        if self.channel_id:
            condition &= Q(channel_id=self.channel_id)
        if self.touchpoint_id:
            condition &= Q(touchpoint_id=self.touchpoint_id)
        if self.segment:
            condition &= Q(customer__segment=self.segment)
        return condition


@dataclass(frozen=True)
class Slice:
    """Which responses a read covers: some organisations (None: any), optionally narrowed to a unit
    subtree, one employee or some journey types. Every read below starts from one."""

    organisation_ids: frozenset[int] | None = None
    unit_path: str = ""
    employee_id: int | None = None
    journey_type_ids: frozenset[int] | None = None

    def __post_init__(self) -> None:
        if self.organisation_ids is None and self.journey_type_ids is None:
            raise ValueError("a slice needs its organisations or its journey types")

    @classmethod
    def of_organisation(cls, organisation: Organisation) -> "Slice":
        return cls(organisation_ids=frozenset({organisation.pk}))

    @classmethod
    def of_unit(cls, unit: Unit) -> "Slice":
        return cls(organisation_ids=frozenset({unit.organisation_id}), unit_path=unit.path)

    @classmethod
    def of_employee(cls, employee: Employee) -> "Slice":
        return cls(organisation_ids=frozenset({employee.organisation_id}), employee_id=employee.pk)

    def fields(self) -> set[str]:
        """The roll-up fields this slice narrows on."""
        return {
            name
            for name, used in (
                ("organisation_id", self.organisation_ids is not None),
                ("unit_path", bool(self.unit_path)),
                ("employee_id", self.employee_id is not None),
                ("journey_type_id", self.journey_type_ids is not None),
            )
            if used
        }

    def q(self, prefix: str = "") -> Q:
        """On DailyScore and Response (the same field names), or Answer with prefix "response__"."""
        condition = Q()
        if self.organisation_ids is not None:
            condition &= Q(**{f"{prefix}organisation_id__in": sorted(self.organisation_ids)})
        if self.unit_path:
            condition &= Q(**{f"{prefix}unit_path__startswith": self.unit_path})
        if self.employee_id is not None:
            condition &= Q(**{f"{prefix}employee_id": self.employee_id})
        if self.journey_type_ids is not None:
            condition &= Q(**{f"{prefix}journey_type_id__in": sorted(self.journey_type_ids)})
        return condition

    def interaction_q(self) -> Q:
        """The interactions the slice's organisations (unit, employee) handled in its journey types."""
        condition = Q()
        if self.organisation_ids is not None:
            condition &= Q(organisation_id__in=sorted(self.organisation_ids))
        if self.unit_path:
            condition &= Q(unit__path__startswith=self.unit_path)
        if self.employee_id is not None:
            condition &= Q(employee_id=self.employee_id)
        if self.journey_type_ids is not None:
            condition &= Q(journey__journey_type_id__in=sorted(self.journey_type_ids))
        return condition


@dataclass(frozen=True)
class Scores:
    """NPS, CSAT and CES of one slice, from summed roll-up counts."""

    counts: stats.NpsCounts = field(default_factory=stats.NpsCounts)
    csat_n: int = 0
    csat_top2: int = 0
    ces_n: int = 0
    ces_sum: int = 0
    ces_sum_squares: int = 0

    @property
    def nps(self) -> stats.Score:
        c = self.counts
        return stats.nps(promoters=c.promoters, passives=c.passives, detractors=c.detractors)

    @property
    def csat(self) -> stats.Score:
        return stats.proportion(successes=self.csat_top2, n=self.csat_n)

    @property
    def ces(self) -> stats.Score:
        if self.ces_n == 0:
            return stats.Score(None, 0, None, None)
        mean = self.ces_sum / self.ces_n
        if self.ces_n == 1:
            return stats.Score(mean, 1, 1.0, 7.0)
        variance = max(0.0, (self.ces_sum_squares - self.ces_n * mean**2) / (self.ces_n - 1))
        half = stats.Z95 * (variance / self.ces_n) ** 0.5
        return stats.Score(mean, self.ces_n, max(1.0, mean - half), min(7.0, mean + half))

    @property
    def n(self) -> int:
        return self.counts.n

    def _values(self) -> tuple[int, ...]:
        c = self.counts
        return (
            c.promoters,
            c.passives,
            c.detractors,
            self.csat_n,
            self.csat_top2,
            self.ces_n,
            self.ces_sum,
            self.ces_sum_squares,
        )

    def __add__(self, other: "Scores") -> "Scores":
        return _from_values([a + b for a, b in zip(self._values(), other._values(), strict=True)])

    def minus(self, other: "Scores") -> "Scores":
        """These scores without a part of them (e.g. a parent without one unit)."""
        return _from_values(
            [max(0, a - b) for a, b in zip(self._values(), other._values(), strict=True)]
        )


def _from_values(values: list[int]) -> Scores:
    return _scores(dict(zip(COUNT_FIELDS, values, strict=True)))


def total(scores: Iterable[Scores]) -> Scores:
    result = Scores()
    for item in scores:
        result = result + item
    return result


def _scores(row: dict) -> Scores:
    return Scores(
        counts=stats.NpsCounts(row["promoters"] or 0, row["passives"] or 0, row["detractors"] or 0),
        **{name: row[name] or 0 for name in COUNT_FIELDS[3:]},
    )


def rollups_for(
    filters: Filters,
    *,
    slice: Slice | None = None,
    fields: Iterable[str] = (),
    with_channel_and_journey: bool = False,
) -> QuerySet:
    """The smallest roll-up that holds every field the read filters or groups on, filtered.

    All three hold the same sums (rollups keeps them in step), so the numbers do not depend on
    which one answers. Channel × journey rows exist only for answers with both, so that table
    answers only reads that ask for both (`with_channel_and_journey`); from the other tables
    such a read gets only the rows with both.
    """
    needed = filters.fields() | set(fields) | (slice.fields() if slice is not None else set())
    model: type[DailyScore | UnitDayScore | EmployeeDayScore | ChannelJourneyDayScore] = DailyScore
    if needed <= UnitDayScore.DIMENSIONS:
        model = UnitDayScore
    elif needed <= EmployeeDayScore.DIMENSIONS:
        model = EmployeeDayScore
    elif with_channel_and_journey and needed <= ChannelJourneyDayScore.DIMENSIONS:
        model = ChannelJourneyDayScore
    rows = model.objects.filter(filters.q())
    if with_channel_and_journey and model is not ChannelJourneyDayScore:
        rows = rows.filter(Q(channel_id__isnull=False, journey_type_id__isnull=False))
    return rows.filter(slice.q()) if slice is not None else rows


def scores(*, slice: Slice, filters: Filters) -> Scores:
    """The scores of one slice under the filters (one aggregate over the roll-ups)."""
    return _scores(rollups_for(filters, slice=slice).aggregate(**SUMS))


def scores_by(*, slice: Slice, filters: Filters, fields: tuple[str, ...]) -> dict[tuple, Scores]:
    """The slice's scores grouped by roll-up fields (e.g. ("organisation_id",)), keyed by their values."""
    grouped = (
        rollups_for(filters, slice=slice, fields=fields).values(*fields).annotate(**SUMS).order_by()
    )
    return {tuple(row[name] for name in fields): _scores(row) for row in grouped}
