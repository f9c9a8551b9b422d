"""`cxloop hrimport --organisation SLUG FILE [--dry-run] [--leave-missing]`: the HR import page's
file (CSV or XLSX of units and/or employees, docs/onboarding.md) from the command line."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from cxloop.orgs import hrimport
from cxloop.orgs.models import Organisation


class Command(BaseCommand):
    help = (
        "Import an organisation's units and employees from an HR file (CSV or XLSX). All or "
        "nothing: a file with a bad row writes nothing and exits with status 1."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organisation", required=True, help="the organisation's slug")
        parser.add_argument("file", help="a .csv or .xlsx file")
        parser.add_argument("--dry-run", action="store_true", help="report, write nothing")
        parser.add_argument(
            "--leave-missing",
            action="store_true",
            help="employees not in the file leave (the file is the full list)",
        )

    def handle(self, *args, **options) -> None:
        organisation = Organisation.objects.filter(slug=options["organisation"]).first()
        if organisation is None:
            raise CommandError(f"no organisation {options['organisation']!r}")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"no file {str(path)!r}")
        with translation.override("en"):  # the command line speaks English, like its help
            try:
                tables = hrimport.read_tables(path.read_bytes(), path.name)
            except hrimport.UnreadableFile as unreadable:
                raise CommandError(str(unreadable)) from None
            outcome = hrimport.import_structure(
                organisation=organisation,
                tables=tables,
                dry_run=options["dry_run"],
                leave_missing=options["leave_missing"],
            )
        for table, number, text in outcome.problems:
            self.stderr.write(f"{table} row {number}: {text}")
        if outcome.problems:
            raise CommandError("nothing was written: fix the rows above", returncode=1)
        verb = "would be" if options["dry_run"] else "were"
        for name, report in (("units", outcome.units), ("employees", outcome.employees)):
            if report is None:
                continue
            counts = ", ".join(
                f"{len(getattr(report, what))} {what}"
                for what in ("created", "updated", "moved", "unchanged", "left")
                if what != "left" or name == "employees"
            )
            self.stdout.write(f"{name} {verb}: {counts}")
