"""Keeping the daily roll-ups: one response counted as it arrives or changes, or everything rebuilt.

A response counts from its first tapped score and may change afterwards (more answers on the
page, another score, a scanner's taps taken back out), so counting one response recounts the
day rows it touches from the responses themselves: the row it was counted in before and the row
it belongs in now. That is idempotent: the response's `counted` flag flips in the same
transaction, so a task that runs twice (or a sweeper that finds it too) changes nothing.
"""

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncDate

from cxloop.dashboards.models import DailyScore
from cxloop.responses.models import Response

KEY_FIELDS = (
    "organisation_id",
    "unit_id",
    "employee_id",
    "journey_type_id",
    "channel_id",
    "touchpoint_id",
)
BATCH = 5000
# What a day row holds, as aggregates over responses (the same for one row and for a rebuild).
TOTALS = {
    "promoters": Count("pk", filter=Q(nps__gte=9)),
    "passives": Count("pk", filter=Q(nps__gte=7, nps__lte=8)),
    "detractors": Count("pk", filter=Q(nps__lte=6)),
    "csat_n": Count("csat"),
    "csat_top2": Count("pk", filter=Q(csat__gte=4)),
    "ces_n": Count("ces"),
    "ces_sum": Sum("ces", default=0),
    "ces_sum_squares": Sum(F("ces") * F("ces"), default=0),
}


def local_day(response: Response) -> date:
    return response.submitted_at.astimezone(ZoneInfo(settings.TIME_ZONE)).date()


def rollup_key(day: date, values: dict) -> str:
    ids = "|".join(str(values[field] or "") for field in KEY_FIELDS)
    return f"{day.isoformat()}|{ids}|{values.get('segment') or ''}"


def _values(response: Response) -> dict:
    return {field: getattr(response, field) for field in KEY_FIELDS} | {
        "segment": response.customer.segment
    }


def key_of(response: Response) -> str:
    """The roll-up row a counting response belongs in."""
    return rollup_key(local_day(response), _values(response))


def mark_changed(response: Response) -> None:
    """Before a response's scores or submitted time change: count it again (the caller saves it).

    The row it is counted in is remembered first, so that it can be taken out of that row even
    when it no longer counts (responses counted by `rebuild` carry no key yet).
    """
    if response.counted and not response.counted_key and response.submitted_at is not None:
        response.counted_key = key_of(response)
    response.counted = False


def add_response(*, response_id: int) -> bool:
    """Bring the roll-up in line with a response as it is now; False if it was counted already."""
    with transaction.atomic():
        response = (
            Response.objects.select_for_update(of=("self",))
            .select_related("customer")
            .filter(pk=response_id, counted=False)
            .first()
        )
        if response is None:
            return False
        keys = {response.counted_key} - {""}
        key = ""
        if response.submitted_at is not None:
            day, values = local_day(response), _values(response)
            key = rollup_key(day, values)
            _row_for(key, day, values, response.unit_path)
            keys.add(key)
        for row_key in sorted(keys):  # one order, so two workers never wait on each other
            _recount(row_key)
        Response.objects.filter(pk=response.pk).update(counted=True, counted_key=key)
    return True


def _recount(key: str) -> None:
    """Recompute one day row from the responses it covers, under a lock on the row."""
    row = DailyScore.objects.select_for_update().filter(key=key).first()
    if row is None:
        return  # rebuilt meanwhile without it: nothing of it left to correct
    totals = _covered(row).aggregate(**TOTALS)
    DailyScore.objects.filter(pk=row.pk).update(**{name: totals[name] or 0 for name in TOTALS})


def _covered(row: DailyScore) -> QuerySet[Response]:
    """The counting responses of the row's local day, attribution and segment."""
    zone = ZoneInfo(settings.TIME_ZONE)
    start = datetime.combine(row.day, time(0), zone)
    end = datetime.combine(row.day + timedelta(days=1), time(0), zone)
    return Response.objects.filter(
        submitted_at__gte=start,
        submitted_at__lt=end,
        customer__segment=row.segment,
        **{field: getattr(row, field) for field in KEY_FIELDS},  # None matches NULL
    )


def _row_for(key: str, day: date, values: dict, unit_path: str) -> DailyScore:
    existing = DailyScore.objects.filter(key=key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return DailyScore.objects.create(key=key, day=day, unit_path=unit_path, **values)
    except IntegrityError:
        return DailyScore.objects.get(key=key)  # a parallel worker created it first


def uncounted(*, limit: int = 1000) -> list[int]:
    """Responses whose roll-up rows do not show them as they are now (for the sweeper)."""
    return list(
        Response.objects.filter(counted=False)
        .filter(Q(submitted_at__isnull=False) | ~Q(counted_key=""))
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


@transaction.atomic
def rebuild() -> int:
    """Recompute every roll-up row from the responses with one grouped query; returns the rows written."""
    DailyScore.objects.all().delete()
    tz = ZoneInfo(settings.TIME_ZONE)
    grouped = (
        Response.objects.filter(submitted_at__isnull=False)
        .annotate(day=TruncDate("submitted_at", tzinfo=tz), segment=F("customer__segment"))
        .values("day", "unit_path", "segment", *KEY_FIELDS)
        .annotate(**TOTALS)
        .order_by()
    )
    # Rows with the same key but different unit paths cannot occur (a unit has one path); merge defensively.
    merged: dict[str, dict] = {}
    totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in grouped.iterator(chunk_size=BATCH):
        key = rollup_key(row["day"], row)
        merged.setdefault(key, row)
        for name in TOTALS:
            totals[key][name] += row[name] or 0
    rows = [
        DailyScore(
            key=key,
            day=row["day"],
            unit_path=row["unit_path"] or "",
            segment=row["segment"] or "",
            **{field: row[field] for field in KEY_FIELDS},
            **totals[key],
        )
        for key, row in merged.items()
    ]
    DailyScore.objects.bulk_create(rows, batch_size=BATCH)
    # Every response is now counted as it is; the rebuilt rows are found again from their fields.
    Response.objects.filter(
        Q(submitted_at__isnull=False, counted=False) | ~Q(counted_key="")
    ).update(counted=True, counted_key="")
    return len(rows)
