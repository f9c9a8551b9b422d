"""Writes of journey analysis: creating event logs and reading their files into the database."""

import uuid
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from cxloop.orgs.models import Organisation
from cxloop.process.models import EventLog, LogEvent
from cxloop.process.readers import (
    Columns,
    LogFormatError,
    ReadReport,
    detect_format,
    micros_to_datetime,
    read_events,
)

CHUNK = 5000  # events per INSERT; also how often progress is written


def upload_dir() -> Path:
    """Where uploaded logs wait for a worker (CXLOOP_DATA_DIR/eventlogs)."""
    path = Path(settings.DATA_DIR) / "eventlogs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def create_event_log(
    *,
    organisation: Organisation,
    name: str,
    file_name: str,
    columns: Columns,
    uploaded_by: User | None = None,
) -> EventLog:
    """A new, empty event log waiting for its events."""
    detect_format(file_name)
    return EventLog.objects.create(
        organisation=organisation,
        name=name[:200] or file_name[:200],
        file_name=file_name[:255],
        columns=asdict(columns),
        uploaded_by=uploaded_by,
    )


def receive_upload(
    *,
    organisation: Organisation,
    name: str,
    upload: UploadedFile,
    columns: Columns,
    uploaded_by: User | None,  # None through the API: a key, not a person
) -> EventLog:
    """Keep an uploaded log on disk, chunk by chunk, and have a worker read it after commit."""
    from cxloop.process.tasks import import_event_log_task

    file_name = Path(upload.name or "log").name
    with transaction.atomic():
        log = create_event_log(
            organisation=organisation,
            name=name,
            file_name=file_name,
            columns=columns,
            uploaded_by=uploaded_by,
        )
        path = upload_dir() / f"{log.pk}-{uuid.uuid4().hex}"
        with path.open("wb") as target:
            for chunk in upload.chunks():
                target.write(chunk)
        log.upload_path = str(path)
        log.save(update_fields=["upload_path"])
        transaction.on_commit(lambda: import_event_log_task.enqueue(log.pk))
    return log


def import_uploaded_log(*, log_id: int) -> EventLog:
    """The worker step: read a log's uploaded file into its events, then remove the file."""
    log = EventLog.objects.get(pk=log_id)
    if log.status == EventLog.Status.READY:
        return log  # done before: running twice changes nothing
    path = Path(log.upload_path)
    if not log.upload_path or not path.exists():
        return _fail(log, "the uploaded file is gone; upload it again")
    try:
        import_events(log=log, path=path)
    except LogFormatError:
        pass  # the log is marked failed, with the reason on its page
    path.unlink(missing_ok=True)
    EventLog.objects.filter(pk=log.pk).update(upload_path="")
    log.refresh_from_db()
    return log


def import_events(
    *, log: EventLog, path: Path, progress: Callable[[ReadReport], None] | None = None
) -> ReadReport:
    """Stream a file's events into a log in chunks; bad rows are reported, a broken file fails the log."""
    LogEvent.objects.filter(
        log=log
    ).delete()  # a second run starts over rather than doubling events
    EventLog.objects.filter(pk=log.pk).update(
        status=EventLog.Status.READING, progress=0.0, error=""
    )
    report = ReadReport()
    cases: set[str] = set()
    chunk: list[LogEvent] = []
    try:
        for position, (case, activity, micros, resource, organisation) in enumerate(
            read_events(path, Columns(**log.columns), report, name=log.file_name)
        ):
            chunk.append(
                LogEvent(
                    log_id=log.pk,
                    position=position,
                    case_id=case,
                    activity=activity,
                    timestamp=micros_to_datetime(micros),
                    resource=resource or "",
                    organisation=organisation or "",
                )
            )
            cases.add(case)
            if len(chunk) >= CHUNK:
                _write_chunk(log, chunk, report, progress)
                chunk = []
        _write_chunk(log, chunk, report, progress)
    except (LogFormatError, UnicodeDecodeError, EOFError, OSError) as error:
        LogEvent.objects.filter(log=log).delete()
        _fail(log, str(error) or error.__class__.__name__)
        raise LogFormatError(str(error)) from error
    EventLog.objects.filter(pk=log.pk).update(
        status=EventLog.Status.READY,
        progress=1.0,
        events=report.events,
        cases=len(cases),
        bad_count=report.bad_count,
        bad_rows=[[row.line, row.reason] for row in report.bad_rows],
        warnings=report.warnings,
        finished_at=timezone.now(),
    )
    log.refresh_from_db()
    return report


def _write_chunk(
    log: EventLog,
    chunk: list[LogEvent],
    report: ReadReport,
    progress: Callable[[ReadReport], None] | None,
) -> None:
    LogEvent.objects.bulk_create(chunk)
    # Written outside any long transaction so that the log's page shows how far the read has got.
    EventLog.objects.filter(pk=log.pk).update(
        progress=report.fraction, events=report.events, bad_count=report.bad_count
    )
    if progress is not None:
        progress(report)


def _fail(log: EventLog, message: str) -> EventLog:
    EventLog.objects.filter(pk=log.pk).update(
        status=EventLog.Status.FAILED, error=message[:2000], finished_at=timezone.now()
    )
    log.refresh_from_db()
    return log


def delete_event_log(*, log: EventLog) -> None:
    """Remove a log, its events and any file still waiting."""
    if log.upload_path:
        Path(log.upload_path).unlink(missing_ok=True)
    log.delete()
