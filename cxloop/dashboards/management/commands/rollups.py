"""`cxloop rollups rebuild`: recompute the dashboards' daily roll-ups from the responses."""

from django.core.management.base import BaseCommand, CommandParser

from cxloop.dashboards import rollups


class Command(BaseCommand):
    help = "Rebuild the daily score roll-ups that dashboards read (after an import or a repair)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["rebuild"])

    def handle(self, *args, action: str, **options) -> None:
        written = rollups.rebuild()
        self.stdout.write(self.style.SUCCESS(f"{written} roll-up rows written"))
