"""API: import an event log (XES or CSV) as an analysable dataset, follow its import, and read its
journey analysis as the same JSON document `cxloop journeys analyze LOG --json` prints
(cxloop/process/README.md)."""

from datetime import UTC, datetime, timedelta
from typing import Any

from django.http import HttpRequest
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from cxloop.lib.apierrors import ErrorOut, refuse
from cxloop.orgs.access import api_key_of
from cxloop.orgs.models import ApiKey
from cxloop.process import mining, services
from cxloop.process.models import EventLog, LogEvent
from cxloop.process.readers import Columns, LogFormatError

router = Router()
EPOCH, MICROSECOND = datetime(1970, 1, 1, tzinfo=UTC), timedelta(microseconds=1)


class EventLogOut(Schema):
    id: int
    name: str
    file_name: str
    status: str = Field(description="queued, reading, ready or failed")
    progress: float
    events: int
    cases: int
    bad_count: int = Field(description="Rows left out; the first ones are in bad_rows")
    bad_rows: list[list[Any]]
    warnings: list[str]
    error: str
    created_at: datetime
    finished_at: datetime | None


class ColumnsIn(Schema):
    name: str = Field("", max_length=200)
    case: str = Field(
        "case:concept:name", max_length=200, description="The case id's attribute or column"
    )
    activity: str = Field("concept:name", max_length=200)
    timestamp: str = Field("time:timestamp", max_length=200)
    resource: str = Field("org:resource", max_length=200, description="Empty for none")
    organisation: str = Field(
        "", max_length=200, description="The column naming the organisation, if any"
    )
    separator: str = Field("", max_length=2, description="CSV only; detected when empty")
    timestamp_format: str = Field(
        "", max_length=50, description="CSV only; strftime, ISO 8601 when empty"
    )


def _out(log: EventLog) -> dict:
    return {
        "id": log.pk,
        "name": log.name,
        "file_name": log.file_name,
        "status": log.status,
        "progress": log.progress,
        "events": log.events,
        "cases": log.cases,
        "bad_count": log.bad_count,
        "bad_rows": log.bad_rows,
        "warnings": log.warnings,
        "error": log.error,
        "created_at": log.created_at,
        "finished_at": log.finished_at,
    }


@router.post("", response={202: EventLogOut, 422: ErrorOut}, operation_id="event_logs_import")
def import_log(request: HttpRequest, file: File[UploadedFile], columns: Form[ColumnsIn]):
    """Upload a log (.xes, .xes.gz or .csv); a worker reads it. Poll `event_logs_read` until ready."""
    api_key = api_key_of(request)
    try:
        log = services.receive_upload(
            organisation=api_key.organisation,
            name=columns.name,
            upload=file,
            columns=Columns(
                case=columns.case,
                activity=columns.activity,
                timestamp=columns.timestamp,
                resource=columns.resource or None,
                organisation=columns.organisation or None,
                separator=columns.separator or None,
                timestamp_format=columns.timestamp_format or None,
            ),
            uploaded_by=None,
        )
    except LogFormatError as error:
        return refuse(422, "the log was not imported", {"file": [str(error)]})
    log.refresh_from_db()
    return Status(202, _out(log))


@router.get("", response=list[EventLogOut], operation_id="event_logs_list")
def list_logs(request: HttpRequest):
    """Your organisation's imported event logs, newest first."""
    api_key = api_key_of(request)
    return [_out(log) for log in EventLog.objects.filter(organisation=api_key.organisation)]


def _log(api_key: ApiKey, log_id: int) -> EventLog | None:
    return EventLog.objects.filter(organisation=api_key.organisation, pk=log_id).first()


@router.get("/{log_id}", response={200: EventLogOut, 404: ErrorOut}, operation_id="event_logs_read")
def read_log(request: HttpRequest, log_id: int):
    """One imported log: its status, counts and the rows left out."""
    log = _log(api_key_of(request), log_id)
    if log is None:
        return refuse(404, "no event log with this id in your organisation")
    return Status(200, _out(log))


@router.get(
    "/{log_id}/analysis",
    response={200: dict[str, Any], 404: ErrorOut, 409: ErrorOut},
    operation_id="event_logs_analysis",
)
def analysis(request: HttpRequest, log_id: int):
    """The journey analysis of a ready log: variants, process map, hand-overs, durations, stuck and
    repeated journeys, as `cxloop journeys analyze --json` prints it."""
    log = _log(api_key_of(request), log_id)
    if log is None:
        return refuse(404, "no event log with this id in your organisation")
    if log.status != EventLog.Status.READY:
        return refuse(409, f"the log is {log.status}, not ready: ask again when it is")
    builder = mining.EventTableBuilder()
    rows = (
        LogEvent.objects.filter(log=log)
        .order_by("position")
        .values_list("case_id", "activity", "timestamp", "resource", "organisation")
    )
    for case, activity, moment, who, organisation in rows.iterator(chunk_size=20000):
        builder.add(
            case, activity, (moment - EPOCH) // MICROSECOND, who or None, organisation or None
        )
    return Status(200, mining.analyse(builder.build()))
