"""Keeping the daily roll-ups: one response added as it arrives, or everything rebuilt from responses.

Adding is idempotent: the response's `counted` flag flips in the same transaction as the
increment, so a task that runs twice (or a sweeper that finds it too) counts it once.
"""

from collections import defaultdict
from datetime import date
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, Sum
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


def local_day(response: Response) -> date:
    return response.submitted_at.astimezone(ZoneInfo(settings.TIME_ZONE)).date()


def rollup_key(day: date, values: dict) -> str:
    ids = "|".join(str(values[field] or "") for field in KEY_FIELDS)
    return f"{day.isoformat()}|{ids}|{values.get('segment') or ''}"


def increments(response: Response) -> dict[str, int]:
    """What one response adds to its roll-up row."""
    nps, csat, ces = response.nps, response.csat, response.ces
    return {
        "promoters": int(nps is not None and nps >= 9),
        "passives": int(nps is not None and 7 <= nps <= 8),
        "detractors": int(nps is not None and nps <= 6),
        "csat_n": int(csat is not None),
        "csat_top2": int(csat is not None and csat >= 4),
        "ces_n": int(ces is not None),
        "ces_sum": ces or 0,
        "ces_sum_squares": (ces or 0) ** 2,
    }


def add_response(*, response_id: int) -> bool:
    """Add a submitted response to its day's roll-up once; False if it was counted already."""
    with transaction.atomic():
        if not Response.objects.filter(
            pk=response_id, counted=False, submitted_at__isnull=False
        ).update(counted=True):
            return False
        response = Response.objects.select_related("customer").get(pk=response_id)
        values = {field: getattr(response, field) for field in KEY_FIELDS} | {
            "segment": response.customer.segment
        }
        day = local_day(response)
        key = rollup_key(day, values)
        row = _row_for(key, day, values, response.unit_path)
        DailyScore.objects.filter(pk=row.pk).update(
            **{name: F(name) + value for name, value in increments(response).items()}
        )
    return True


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
    """Submitted responses not yet in the roll-ups (for the sweeper)."""
    return list(
        Response.objects.filter(counted=False, submitted_at__isnull=False)
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
        .annotate(
            promoters=Count("pk", filter=Q(nps__gte=9)),
            passives=Count("pk", filter=Q(nps__gte=7, nps__lte=8)),
            detractors=Count("pk", filter=Q(nps__lte=6)),
            csat_n=Count("csat"),
            csat_top2=Count("pk", filter=Q(csat__gte=4)),
            ces_n=Count("ces"),
            ces_sum=Sum("ces", default=0),
            ces_sum_squares=Sum(F("ces") * F("ces"), default=0),
        )
        .order_by()
    )
    # Rows with the same key but different unit paths cannot occur (a unit has one path); merge defensively.
    merged: dict[str, dict] = {}
    totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in grouped.iterator(chunk_size=BATCH):
        key = rollup_key(row["day"], row)
        merged.setdefault(key, row)
        for name in (
            "promoters",
            "passives",
            "detractors",
            "csat_n",
            "csat_top2",
            "ces_n",
            "ces_sum",
            "ces_sum_squares",
        ):
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
    Response.objects.filter(submitted_at__isnull=False, counted=False).update(counted=True)
    return len(rows)
