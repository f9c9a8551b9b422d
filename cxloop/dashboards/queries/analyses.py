"""The journey-side analyses: moments of truth (answers), contact impact (responses with their
journey's interactions) and response times (interactions); one or two grouped queries each, over
the chosen period."""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import (
    Case,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    Q,
    Value,
    When,
)
from django.db.models.functions import (
    ExtractHour,
    ExtractMinute,
    ExtractSecond,
    Floor,
    TruncDate,
)

from cxloop import stats
from cxloop.dashboards import expectations
from cxloop.dashboards.queries.base import Filters, Slice, _tz
from cxloop.journeys.models import (
    Interaction,
)
from cxloop.responses.models import Answer, Response

# --- moments of truth ------------------------------------------------------------------------


def _nps_classes(
    field_name: str = "pk", prefix: str = "", distinct: bool = False
) -> dict[str, Count]:
    return {
        "promoters": Count(field_name, distinct=distinct, filter=Q(**{f"{prefix}nps__gte": 9})),
        "passives": Count(
            field_name,
            distinct=distinct,
            filter=Q(**{f"{prefix}nps__gte": 7, f"{prefix}nps__lte": 8}),
        ),
        "detractors": Count(field_name, distinct=distinct, filter=Q(**{f"{prefix}nps__lte": 6})),
    }


def _counts(row: dict) -> stats.NpsCounts:
    return stats.NpsCounts(row["promoters"], row["passives"], row["detractors"])


@dataclass(frozen=True)
class Moment:
    """A touchpoint customers picked as the moment that mattered most, and the NPS of those who did."""

    journey_type_id: int
    journey_type: str
    touchpoint_id: int
    touchpoint: str
    position: int
    picks: int  # responses that picked it
    picks_in_journey_type: int  # responses that picked any touchpoint of the journey type
    counts: stats.NpsCounts  # NPS of the responses that picked it

    @property
    def share(self) -> stats.Score:
        return stats.proportion(successes=self.picks, n=self.picks_in_journey_type)


def moments_of_truth(*, slice: Slice, filters: Filters) -> list[Moment]:
    """Per journey type, which touchpoints customers chose as the moment that mattered most (one grouped query)."""
    rows = (
        Answer.objects.filter(
            slice.q("response__"),
            filters.response_q("response__"),
            response__submitted_at__isnull=False,
            chosen_touchpoint__isnull=False,
        )
        .values(
            "chosen_touchpoint_id",
            "chosen_touchpoint__name",
            "chosen_touchpoint__position",
            "chosen_touchpoint__journey_type_id",
            "chosen_touchpoint__journey_type__name",
        )
        .annotate(
            picks=Count("response", distinct=True),
            **_nps_classes("response", "response__", distinct=True),
        )
        .order_by()
    )
    rows = list(rows)
    per_type: dict[int, int] = defaultdict(int)
    for row in rows:
        per_type[row["chosen_touchpoint__journey_type_id"]] += row["picks"]
    moments = [
        Moment(
            row["chosen_touchpoint__journey_type_id"],
            row["chosen_touchpoint__journey_type__name"],
            row["chosen_touchpoint_id"],
            row["chosen_touchpoint__name"],
            row["chosen_touchpoint__position"],
            row["picks"],
            per_type[row["chosen_touchpoint__journey_type_id"]],
            _counts(row),
        )
        for row in rows
    ]
    return sorted(moments, key=lambda m: (m.journey_type, m.position, m.touchpoint))


# --- contact impact --------------------------------------------------------------------------


@dataclass(frozen=True)
class Impact:
    """Customers whose journey had a contact moment against those of the same journey type without it."""

    journey_type_id: int
    journey_type: str
    moment_id: int
    moment: str
    with_contact: stats.NpsCounts
    without_contact: stats.NpsCounts

    @property
    def difference(self) -> stats.Difference | None:
        return stats.nps_difference(self.with_contact, self.without_contact)


IMPACT_FIELDS = {
    "touchpoint": (
        "journey__interactions__touchpoint_id",
        "journey__interactions__touchpoint__name",
    ),
    "channel": ("journey__interactions__channel_id", "journey__interactions__channel__name"),
}


def contact_impact(*, slice: Slice, filters: Filters, by: str = "touchpoint") -> list[Impact]:
    """NPS of responses whose journey had an interaction at a touchpoint (or through a channel) before the
    answer, against the other responses of the same journey type; two grouped queries."""
    id_field, name_field = IMPACT_FIELDS[by]
    base = Response.objects.filter(
        slice.q(),
        filters.response_q(),
        submitted_at__isnull=False,
        nps__isnull=False,
        journey__isnull=False,
    )
    totals = {
        row["journey_type_id"]: (row["journey_type__name"], _counts(row))
        for row in base.values("journey_type_id", "journey_type__name")
        .annotate(**_nps_classes())
        .order_by()
    }
    exposed = (
        # One filter() call, so that the time condition, the non-null moment and the grouping share one join.
        base.filter(
            journey__interactions__occurred_at__lte=F("submitted_at"),
            **{f"{id_field}__isnull": False},
        )
        .values("journey_type_id", id_field, name_field)
        .annotate(**_nps_classes(distinct=True))
        .order_by()
    )
    impacts = []
    for row in exposed:
        name, everyone = totals[row["journey_type_id"]]
        with_contact = _counts(row)
        impacts.append(
            Impact(
                row["journey_type_id"],
                name,
                row[id_field],
                row[name_field],
                with_contact,
                stats.NpsCounts(
                    *(
                        a - b
                        for a, b in zip(
                            (everyone.promoters, everyone.passives, everyone.detractors),
                            (
                                with_contact.promoters,
                                with_contact.passives,
                                with_contact.detractors,
                            ),
                            strict=True,
                        )
                    )
                ),
            )
        )
    return sorted(impacts, key=lambda i: (i.journey_type, i.moment))


# --- response times --------------------------------------------------------------------------


@dataclass(frozen=True)
class Wait:
    """Interactions of one channel with a known wait, and how many were answered within expectation."""

    channel_id: int
    channel: str
    slug: str
    expectation: expectations.Expectation | None
    n: int
    within: int

    @property
    def share(self) -> stats.Score:
        return stats.proportion(successes=self.within, n=self.n)


def response_times(*, slice: Slice, filters: Filters) -> list[Wait]:
    """Per channel, the share of answers within what customers expect; two grouped queries.

    Channels measured in seconds are counted per wait class (≤ 30 s, ≤ 60 s, longer). For channels
    measured in working days, each contact is grouped by the day it was asked and by how many midnights
    passed before the answer (seconds into the day plus the wait, over 86,400); Python then compares that
    with the days to the deadline for the day asked (weekends and Dutch holidays). Each expression is
    evaluated once per row, which keeps SQLite fast too.
    """
    from cxloop.followup.sla import dutch_public_holidays

    tz = _tz()
    base = Interaction.objects.filter(
        slice.interaction_q(), filters.interaction_q(), wait_seconds__isnull=False
    )
    limits = expectations.SECOND_LIMITS
    wait_class = Case(
        *(When(wait_seconds__lte=limit, then=Value(i)) for i, limit in enumerate(limits)),
        default=Value(len(limits)),
        output_field=IntegerField(),
    )
    per_class = (
        base.annotate(wait_class=wait_class)
        .values("channel_id", "channel__name", "channel__slug", "wait_class")
        .annotate(n=Count("pk"))
        .order_by()
    )
    totals: dict[int, list] = {}
    for row in per_class:
        expectation = expectations.for_channel(row["channel__slug"])
        entry = totals.setdefault(
            row["channel_id"], [row["channel__name"], row["channel__slug"], expectation, 0, 0]
        )
        entry[3] += row["n"]
        if expectation is not None and expectation.seconds is not None:
            entry[4] += row["n"] if row["wait_class"] <= limits.index(expectation.seconds) else 0
    day_slugs = [slug for slug, e in expectations.BY_SLUG.items() if e.working_days is not None]
    seconds_into_day = (
        ExtractHour("occurred_at", tzinfo=tz) * 3600
        + ExtractMinute("occurred_at", tzinfo=tz) * 60
        + ExtractSecond("occurred_at", tzinfo=tz)
    )
    midnights = Floor(
        ExpressionWrapper((seconds_into_day + F("wait_seconds")) / 86400, output_field=FloatField())
    )
    per_day = (
        base.filter(channel__slug__in=day_slugs)
        .annotate(asked=TruncDate("occurred_at", tzinfo=tz), midnights=midnights)
        .values("channel_id", "channel__slug", "asked", "midnights")
        .annotate(n=Count("pk"))
        .order_by()
    )
    holidays = dutch_public_holidays()
    for row in per_day:
        expectation = expectations.for_channel(row["channel__slug"])
        if expectation is not None and int(row["midnights"]) <= expectations.extra_days(
            row["asked"], expectation, holidays
        ):
            totals[row["channel_id"]][4] += row["n"]
    waits = [
        Wait(pk, name, slug, expectation, n, within)
        for pk, (name, slug, expectation, n, within) in totals.items()
    ]
    return sorted(waits, key=lambda w: w.channel)
