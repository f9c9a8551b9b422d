"""`cxloop worker`: run background tasks from the database queue; start several to scale out."""

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run a background worker (sends invitations, opens follow-up cases). Run more for more throughput."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", action="store_true", help="run what is queued now, then stop")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls when idle")

    def handle(self, *args, batch: bool, interval: float, **options) -> None:
        extra = ["--batch"] if batch else []
        call_command(
            "db_worker", "--queue-name", "*", "--interval", str(interval), "--no-reload", *extra,
            verbosity=options.get("verbosity", 1),
        )
