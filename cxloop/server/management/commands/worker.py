"""`cxloop worker`: run background tasks from the database queue; start several to scale out."""

import logging
import threading

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Run a background worker (sends invitations, opens follow-up cases) and sweep for due work "
        "every --sweep-interval seconds. Run more workers for more throughput."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", action="store_true", help="run what is queued now (and one sweep), then stop")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls when idle")
        parser.add_argument("--sweep-interval", type=float, default=30.0, help="seconds between sweeps")

    def handle(self, *args, batch: bool, interval: float, sweep_interval: float, **options) -> None:
        from cxloop.server.sweeper import sweep

        if batch:
            sweep()
            self._run_queue(interval, batch=True, verbosity=options.get("verbosity", 1))
            return
        stop = threading.Event()
        threading.Thread(target=self._sweep_forever, args=(stop, sweep_interval), daemon=True).start()
        try:
            self._run_queue(interval, batch=False, verbosity=options.get("verbosity", 1))
        finally:
            stop.set()

    def _run_queue(self, interval: float, *, batch: bool, verbosity: int) -> None:
        extra = ["--batch"] if batch else []
        call_command(
            "db_worker", "--queue-name", "*", "--interval", str(interval), "--no-reload", "--no-startup-delay",
            *extra, verbosity=verbosity,
        )

    def _sweep_forever(self, stop: threading.Event, every: float) -> None:
        from cxloop.server.sweeper import sweep

        while not stop.wait(every):
            try:
                close_old_connections()
                sweep()
            except Exception:  # noqa: BLE001 - a failed sweep is logged and tried again next round
                logger.exception("sweep failed")
            finally:
                close_old_connections()
