"""Reads of journey analysis: who may analyse what, and the events behind each page.

A journey type's owner (its organisation's journey owners and admins) sees every partner's
interactions in its journeys. A partner's admin or journey owner sees only the journeys its
organisation took part in, and in them only its own interactions unless the data-sharing
agreement shows every partner's part. Anyone else gets a 404.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet
from django.http import Http404

from cxloop import stats
from cxloop.journeys.models import DataSharingAgreement, Interaction, Journey, JourneyType
from cxloop.orgs.capabilities import Capability, organisation_ids_where, organisations_where
from cxloop.orgs.models import Organisation
from cxloop.process import mining
from cxloop.process.mining import Group
from cxloop.process.models import EventLog, LogEvent
from cxloop.process.readers import EPOCH, ONE_MICROSECOND
from cxloop.responses.models import Response

JOURNEY_RESOURCES = {
    "employee": "employee__name",
    "unit": "unit__name",
    "organisation": "organisation__name",
}
LOG_RESOURCES = ("resource", "organisation")

User = AbstractBaseUser | AnonymousUser


# --- access -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class JourneyAccess:
    """A journey type as one user may analyse it."""

    journey_type: JourneyType
    partner: Organisation | None = None  # None: the owner's view of every partner
    all_parts: bool = True  # a partner whose agreement shows every partner's part

    @property
    def is_owner(self) -> bool:
        return self.partner is None


def analysable_journey_types(user: User) -> list[JourneyAccess]:
    """The journey types a user may analyse: owned ones first, then those shared with a partner."""
    organisations = organisation_ids_where(user, Capability.ANALYSE_JOURNEYS)
    owned = (
        JourneyType.objects.filter(owner_id__in=organisations)
        .select_related("owner")
        .order_by("name")
    )
    result = [JourneyAccess(journey_type) for journey_type in owned]
    agreements = (
        DataSharingAgreement.objects.filter(organisation_id__in=organisations)
        .exclude(journey_type__owner_id__in=organisations)
        .select_related("journey_type__owner", "organisation")
        .order_by("journey_type__name")
    )
    result += [
        JourneyAccess(
            a.journey_type, a.organisation, a.visibility == DataSharingAgreement.Visibility.ALL
        )
        for a in agreements
    ]
    return result


def access_journey_type(user: User, pk: int) -> JourneyAccess:
    """A journey type the user may analyse, with how much of it, else 404."""
    for access in analysable_journey_types(user):
        if access.journey_type.pk == pk:
            return access
    raise Http404


def log_organisations(user: User) -> list[Organisation]:
    """The organisations whose event logs the user may upload and analyse."""
    return list(organisations_where(user, Capability.ANALYSE_EVENT_LOGS))


def analysable_logs(user: User) -> QuerySet[EventLog]:
    """The imported event logs of the user's organisations, newest first."""
    organisation_ids = organisation_ids_where(user, Capability.ANALYSE_EVENT_LOGS)
    return EventLog.objects.filter(organisation_id__in=organisation_ids).select_related(
        "organisation"
    )


def access_event_log(user: User, pk: int) -> EventLog:
    """An imported event log of one of the user's organisations, else 404."""
    log = analysable_logs(user).filter(pk=pk).first()
    if log is None:
        raise Http404
    return log


# --- datasets -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Cases that started from `since` up to and including `until` (dates in UTC)."""

    since: date | None = None
    until: date | None = None

    def bounds(self) -> tuple[datetime | None, datetime | None]:
        low = datetime.combine(self.since, time.min, UTC) if self.since else None
        high = (
            datetime.combine(self.until + timedelta(days=1), time.min, UTC) if self.until else None
        )
        return low, high


@dataclass
class Dataset:
    """A page's events, sorted, with what drill-downs and scores need per case."""

    log: mining.Log
    resource_label: str
    now: int  # µs: when "stuck" is measured from
    open_cases: list[bool]  # per case index
    contacts: list[mining.Contact] = field(default_factory=list)
    scores: list[tuple[str, int]] = field(default_factory=list)  # (case id, NPS 0–10)
    case_info: dict[str, tuple[datetime, datetime | None]] = field(
        default_factory=dict
    )  # journeys: start, end


def _micros(moment: datetime) -> int:
    return (moment - EPOCH) // ONE_MICROSECOND


def _journeys(
    access: JourneyAccess, period: Period, organisation: Organisation | None
) -> QuerySet[Journey]:
    journey_type = access.journey_type
    journeys = Journey.objects.filter(journey_type=journey_type, chain_id=journey_type.chain_id)
    low, high = period.bounds()
    if low:
        journeys = journeys.filter(started_at__gte=low)
    if high:
        journeys = journeys.filter(started_at__lt=high)
    for org in (organisation, access.partner):
        if org is not None:
            journeys = journeys.filter(
                pk__in=Interaction.objects.filter(organisation=org).values("journey_id")
            )
    return journeys


def journey_dataset(
    *,
    access: JourneyAccess,
    period: Period,
    organisation: Organisation | None = None,
    resource: str = "employee",
    now: datetime,
) -> Dataset:
    """The interactions of a journey type's journeys as an event log: touchpoint (else channel) as activity."""
    journeys = _journeys(access, period, organisation)
    interactions = Interaction.objects.filter(
        journey__in=journeys, organisation__chain_id=access.journey_type.chain_id
    )
    if access.partner is not None and not access.all_parts:
        interactions = interactions.filter(organisation=access.partner)
    rows = interactions.order_by("journey_id", "occurred_at", "pk").values_list(
        "journey__external_id",
        "journey__started_at",
        "journey__ended_at",
        "occurred_at",
        "touchpoint__name",
        "channel__name",
        JOURNEY_RESOURCES.get(resource, "employee__name"),
        "organisation__name",
    )
    builder = mining.EventTableBuilder()
    contacts: list[mining.Contact] = []
    info: dict[str, tuple[datetime, datetime | None]] = {}
    for case, started, ended, occurred, touchpoint, channel, who, org in rows.iterator(
        chunk_size=5000
    ):
        micros = _micros(occurred)
        builder.add(case, touchpoint or channel, micros, who, org)
        contacts.append(mining.Contact(case, micros, channel, touchpoint or ""))
        info[case] = (started, ended)
    log = mining.sort_events(builder.build())
    responses = Response.objects.filter(
        journey__in=journeys, nps__isnull=False, submitted_at__isnull=False
    )
    if access.partner is not None and not access.all_parts:
        responses = responses.filter(organisation=access.partner)
    return Dataset(
        log=log,
        resource_label=resource,
        now=_micros(now),
        open_cases=[info[log.case_name(i)][1] is None for i in range(log.cases)],
        contacts=contacts,
        scores=[
            (case, nps)
            for case, nps in responses.values_list("journey__external_id", "nps")
            if nps is not None  # always (nps__isnull=False above); tells the type checker so
        ],
        case_info=info,
    )


def log_dataset(*, log: EventLog, period: Period, resource: str = "resource") -> Dataset:
    """An imported log's events; the period keeps the cases whose first event falls in it."""
    rows = (
        LogEvent.objects.filter(log=log)
        .order_by("position")
        .values_list("case_id", "activity", "timestamp", "resource", "organisation")
    )
    builder = mining.EventTableBuilder()
    use_organisation = resource == "organisation"
    for case, activity, moment, who, org in rows.iterator(chunk_size=20000):
        builder.add(
            case, activity, _micros(moment), (org if use_organisation else who) or None, org or None
        )
    events = mining.sort_events(builder.build())
    low, high = period.bounds()
    if events.cases and (low or high):
        first = events.timestamp[events.starts]
        keep = (first >= (_micros(low) if low else first.min())) & (
            first < (_micros(high) if high else first.max() + 1)
        )
        events = mining.keep_cases(events, keep)
    last = int(events.timestamp.max()) if events.events else 0
    return Dataset(log=events, resource_label=resource, now=last, open_cases=[True] * events.cases)


# --- scores -------------------------------------------------------------------------------------


def scores_by(dataset: Dataset, group_of_case: dict[str, Group]) -> dict[Group, stats.Score]:
    """NPS per group of cases (a variant, a number of hand-overs, ...), from the journeys' responses."""
    return mining.nps_by_group(
        (group_of_case[case], nps) for case, nps in dataset.scores if case in group_of_case
    )


def case_rows(
    dataset: Dataset, indices: Iterable[int], limit: int = 500
) -> Iterator[dict[str, object]]:
    """The journeys (or cases) behind a number, for the drill-down list."""
    log = dataset.log
    for index in list(indices)[:limit]:
        case = log.case_name(index)
        start, end = int(log.starts[index]), int(log.ends[index])
        started, ended = dataset.case_info.get(case, (None, None))
        yield {
            "case": case,
            "events": end - start,
            "first": EPOCH + timedelta(microseconds=int(log.timestamp[start])),
            "last": EPOCH + timedelta(microseconds=int(log.timestamp[end - 1])),
            "ended": ended,
            "open": dataset.open_cases[index],
        }
