"""Writes of the drivers app: importing employee survey results."""

import csv
import io
from datetime import date

from django.contrib.auth.models import User
from django.db import transaction

from cxloop.drivers.models import EmployeeSurveyImport, EmployeeSurveyResult
from cxloop.orgs.models import Organisation, Unit

COUNT_COLUMNS = ("promoters", "passives", "detractors")
FIXED = {"unit", "period_start", "period_end", "enps", "respondents", *COUNT_COLUMNS}


class ImportRejected(ValueError):
    """The file as a whole cannot be read."""


def import_employee_survey(
    *, organisation: Organisation, content: str, filename: str = "", user: User | None = None
) -> EmployeeSurveyImport:
    """Read a CSV of eNPS per unit and period (see docs in the page); good rows are kept, bad rows reported."""
    reader = csv.DictReader(io.StringIO(content.lstrip("\ufeff")), delimiter=_delimiter(content))
    columns = {c.strip().lower() for c in reader.fieldnames or []}
    if not {"unit", "period_start", "period_end"} <= columns:
        raise ImportRejected("the file needs the columns unit, period_start and period_end")
    if not (set(COUNT_COLUMNS) <= columns or {"enps", "respondents"} <= columns):
        raise ImportRejected(
            "the file needs promoters, passives and detractors, or enps and respondents"
        )
    units = _units(organisation)
    errors: list[dict[str, object]] = []
    saved = 0
    with transaction.atomic():
        record = EmployeeSurveyImport.objects.create(
            organisation=organisation, user=user, filename=filename[:200]
        )
        for number, raw in enumerate(reader, start=2):
            row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
            try:
                _save_row(organisation, units, row, record)
                saved += 1
            except ValueError as error:
                errors.append({"line": number, "error": str(error)})
        record.rows, record.errors = saved, errors
        record.save(update_fields=["rows", "errors"])
    return record


def _delimiter(content: str) -> str:
    first = content.splitlines()[0] if content else ""
    return ";" if first.count(";") > first.count(",") else ","


def _units(organisation: Organisation) -> dict[str, Unit]:
    found: dict[str, Unit] = {}
    for unit in Unit.objects.filter(organisation=organisation):
        found.update({unit.slug.lower(): unit, unit.name.lower(): unit, str(unit.pk): unit})
    return found


def _save_row(
    organisation: Organisation,
    units: dict[str, Unit],
    row: dict[str, str],
    record: EmployeeSurveyImport,
) -> None:
    unit = units.get(row.get("unit", "").lower())
    if unit is None:
        raise ValueError(f"unknown unit {row.get('unit')!r}")
    try:
        start, end = date.fromisoformat(row["period_start"]), date.fromisoformat(row["period_end"])
    except ValueError as error:
        raise ValueError("period_start and period_end are dates like 2026-01-31") from error
    if end < start:
        raise ValueError("period_end lies before period_start")
    promoters, passives, detractors = _counts(row)
    items = {}
    for key, value in row.items():
        if key not in FIXED and value:
            try:
                items[key.removeprefix("item:")] = float(value.replace(",", "."))
            except ValueError as error:
                raise ValueError(f"{key}: {value!r} is not a number") from error
    EmployeeSurveyResult.objects.update_or_create(
        unit=unit,
        period_start=start,
        period_end=end,
        defaults=dict(
            organisation=organisation,
            promoters=promoters,
            passives=passives,
            detractors=detractors,
            items=items,
            source=record,
        ),
    )


def _counts(row: dict[str, str]) -> tuple[int, int, int]:
    try:
        if row.get("promoters", "") != "":
            promoters, passives, detractors = (int(row[c]) for c in COUNT_COLUMNS)
            counts = (promoters, passives, detractors)
        else:
            # Only eNPS and respondents given: counts that reproduce the eNPS, all non-promoters as detractors
            # where needed (eNPS uses only the difference, so the correlation is unaffected).
            respondents, enps = int(row["respondents"]), float(row["enps"].replace(",", "."))
            if not -100 <= enps <= 100:
                raise ValueError("enps lies between -100 and 100")
            net = round(enps / 100 * respondents)
            promoters = max(net, 0)
            detractors = max(-net, 0)
            counts = (promoters, respondents - promoters - detractors, detractors)
    except (KeyError, ValueError) as error:
        raise ValueError(f"counts: {error}") from error
    if min(counts) < 0 or sum(counts) == 0:
        raise ValueError("counts must be non-negative and not all zero")
    return counts
