"""`cxloop import FILE --organisation SLUG`: interactions from CSV or XLSX, all or nothing, with a report per row."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cxloop.journeys.imports import (
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    ImportFileError,
    import_interactions,
    read_interactions,
)
from cxloop.orgs.models import Organisation


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
        outcome = import_interactions(organisation=org, rows=rows, skip_invalid=skip_invalid)
        bad = outcome.bad
        for line in sorted(bad):
            self.stderr.write(f"line {line}: {'; '.join(bad[line])}")
        if bad and not skip_invalid:
            raise CommandError(f"{len(bad)} bad row(s) of {len(rows)}; nothing was imported")
        self.stdout.write(
            self.style.SUCCESS(
                f"{outcome.created} interaction(s) imported, {outcome.seen} seen before, {len(bad)} bad row(s) skipped"
            )
        )
