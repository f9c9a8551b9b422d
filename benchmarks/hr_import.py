"""Benchmark: an HR file of 40 units and 600 employees, kept in step through cxloop's upserts.

On PostgreSQL (a fresh *bench* database), three runs of `cxloop.orgs.structure`:

* first import: every unit and employee is new (each audited, as the API and HR import do);
* the same file again: nothing changes (the idempotent case of a nightly sync);
* a reorganisation: 60 employees move, 30 are renamed and 30 leave (`leave_missing`).

The reference, measured in the same run: the plain bulk INSERTs of the same 40 units and 600
employees into cxloop's own tables (no checks, no audit, no report): the least any import costs.
It prints the times and the ratio of the first import to the reference, and checks that the
stored rows are identical.

    .venv/bin/python benchmarks/hr_import.py
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from coordination import migrate, recreate_database, setup_django  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/cxloop_bench_hr"
DEPARTMENTS, TEAMS_PER_DEPARTMENT, EMPLOYEES = 8, 4, 600  # 8 + 32 = 40 units


def hr_file():
    from cxloop.orgs.structure import EmployeeRow, UnitRow

    units = [UnitRow(f"afd-{d}", f"Afdeling {d}", kind="department") for d in range(DEPARTMENTS)]
    teams = [
        UnitRow(f"team-{d}-{t}", f"Team {d}.{t}", parent=f"afd-{d}")
        for d in range(DEPARTMENTS)
        for t in range(TEAMS_PER_DEPARTMENT)
    ]
    people = [
        EmployeeRow(
            f"LW-{i:04d}", f"Medewerker {i}", teams[i % len(teams)].code, f"m{i}@example.nl"
        )
        for i in range(EMPLOYEES)
    ]
    return units + teams, people


def organisation(slug: str):
    from cxloop.orgs.models import Chain, Organisation

    chain, _ = Chain.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
    return Organisation.objects.create(chain=chain, slug=slug, name=slug)


def reference(units, people) -> float:
    """Plain bulk INSERTs of the same rows (paths set in a second pass, as a unit needs its id)."""
    from django.db import transaction

    from cxloop.orgs.models import Employee, Unit

    org = organisation("reference")
    started = time.perf_counter()
    with transaction.atomic():
        made = {}
        for row in units:  # parents first: the file is in tree order
            made[row.code] = Unit(
                organisation=org,
                slug=row.code,
                name=row.name,
                kind=row.kind,
                parent=made.get(row.parent),
                path="",
            )
            if not row.parent:
                Unit.objects.bulk_create([made[row.code]])
        Unit.objects.bulk_create([u for u in made.values() if u.pk is None])
        for unit in made.values():
            unit.path = f"{unit.parent.path if unit.parent else '/'}{unit.pk}/"
        Unit.objects.bulk_update(list(made.values()), ["path"])
        Employee.objects.bulk_create(
            Employee(organisation=org, unit=made[p.unit], code=p.code, name=p.name, email=p.email)
            for p in people
        )
    return time.perf_counter() - started


def stored(slug: str) -> tuple:
    from cxloop.orgs.models import Employee, Unit

    units = sorted(
        Unit.objects.filter(organisation__slug=slug).values_list(
            "slug", "name", "kind", "parent__slug"
        )
    )
    people = sorted(
        Employee.objects.filter(organisation__slug=slug).values_list(
            "code", "name", "email", "unit__slug"
        )
    )
    return units, people


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default=os.environ.get("CXLOOP_BENCH_DATABASE_URL", DEFAULT_URL)
    )
    args = parser.parse_args()
    recreate_database(args.database_url)
    setup_django(args.database_url)
    migrate()
    from cxloop.orgs import structure
    from cxloop.orgs.structure import EmployeeRow

    units, people = hr_file()
    reference_seconds = reference(units, people)
    org = organisation("cxloop")
    runs = []
    started = time.perf_counter()
    first = (
        structure.upsert_units(organisation=org, rows=units),
        structure.upsert_employees(organisation=org, rows=people),
    )
    runs.append(
        ("first import (40 units, 600 employees new)", time.perf_counter() - started, first)
    )
    identical = stored("reference") == stored("cxloop")
    started = time.perf_counter()
    again = (
        structure.upsert_units(organisation=org, rows=units),
        structure.upsert_employees(organisation=org, rows=people),
    )
    runs.append(("the same file again (nothing changes)", time.perf_counter() - started, again))
    changed = [
        EmployeeRow(p.code, p.name, units[-1 - (i % 8)].code, p.email)
        if i < 60
        else EmployeeRow(p.code, f"{p.name} (nieuw)", p.unit, p.email)
        if i < 90
        else p
        for i, p in enumerate(people[:-30])
    ]
    started = time.perf_counter()
    reorganised = structure.upsert_employees(organisation=org, rows=changed, leave_missing=True)
    runs.append(
        (
            "reorganisation (60 move, 30 renamed, 30 leave)",
            time.perf_counter() - started,
            (reorganised,),
        )
    )

    print(
        f"reference: bulk INSERT of 40 units and 600 employees: {reference_seconds * 1000:.0f} ms"
    )
    for label, seconds, reports in runs:
        counts = ", ".join(
            f"{k} {len(getattr(r, k))}"
            for r in reports
            for k in ("created", "updated", "moved", "unchanged", "left")
            if getattr(r, k)
        )
        print(f"cxloop {label}: {seconds * 1000:.0f} ms ({counts})")
    print(f"ratio cxloop first import time / reference time: {runs[0][1] / reference_seconds:.1f}")
    assert reorganised.ok and len(reorganised.moved) == 60 and len(reorganised.left) == 30
    print(
        f"stored rows identical to the reference after the first import: {'yes' if identical else 'NO'}"
    )
    if not identical:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
