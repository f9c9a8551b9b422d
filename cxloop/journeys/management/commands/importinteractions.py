"""`cxloop import FILE --organisation SLUG`: interactions from CSV or XLSX, all or nothing, with a report per row."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from cxloop.customers.models import CustomerContact
from cxloop.journeys.imports import (
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    ImportFileError,
    read_interactions,
)
from cxloop.journeys.services import InteractionRejected, record_interactions
from cxloop.orgs.models import Organisation

CHUNK = 500


class Command(BaseCommand):
    help = (
        "Import interactions from a .csv (comma, semicolon or tab separated) or .xlsx file. Columns: "
        + ", ".join(REQUIRED_COLUMNS)
        + "; optional: "
        + ", ".join(OPTIONAL_COLUMNS)
        + ". Nothing is written if any row is bad, unless --skip-invalid. Rows seen before are skipped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--organisation", required=True, help="slug of the organisation the rows are from"
        )
        parser.add_argument(
            "--skip-invalid", action="store_true", help="import the good rows, report the bad"
        )

    def handle(self, *args, file: Path, organisation: str, skip_invalid: bool, **options) -> None:
        org = Organisation.objects.filter(slug=organisation).first()
        if org is None:
            raise CommandError(f"no organisation with slug {organisation!r}")
        if not file.exists():
            raise CommandError(f"{file} does not exist")
        try:
            rows = list(read_interactions(file))
        except (ImportFileError, UnicodeDecodeError) as error:
            raise CommandError(f"{file}: {error}") from None
        bad = {row.line: row.errors for row in rows if row.errors}
        good = [row for row in rows if row.item is not None]
        created = seen = 0
        try:
            with transaction.atomic():
                for start in range(0, len(good), CHUNK):
                    pending = good[start : start + CHUNK]
                    while pending:
                        try:
                            results = record_interactions(
                                organisation=org,
                                items=[r.item for r in pending],
                                source=CustomerContact.Source.IMPORT,
                            )
                        except InteractionRejected as rejected:
                            # Report the rejected rows and try the rest of the chunk again.
                            for index, errors in rejected.errors.items():
                                bad[pending[index].line] = errors
                            pending = [r for i, r in enumerate(pending) if i not in rejected.errors]
                            continue
                        created += sum(r.created for r in results)
                        seen += sum(not r.created for r in results)
                        break
                if bad and not skip_invalid:
                    raise _Abort
        except _Abort:
            created = seen = 0
        for line in sorted(bad):
            self.stderr.write(f"line {line}: {'; '.join(bad[line])}")
        if bad and not skip_invalid:
            raise CommandError(f"{len(bad)} bad row(s) of {len(rows)}; nothing was imported")
        self.stdout.write(
            self.style.SUCCESS(
                f"{created} interaction(s) imported, {seen} seen before, {len(bad)} bad row(s) skipped"
            )
        )


class _Abort(Exception):
    pass
