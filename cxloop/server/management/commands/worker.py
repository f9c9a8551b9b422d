"""`cxloop worker`: run background tasks from the database queue; start several to scale out."""

import logging

from django.core.management.base import BaseCommand, CommandParser

from cxloop.server import services
from cxloop.server.worker import LeaseKeeper, Worker, background

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Run a background worker (sends invitations, opens follow-up cases) and sweep for due work "
        "every --sweep-interval seconds. Run more workers for more throughput."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch", action="store_true", help="run what is queued now (and one sweep), then stop"
        )
        parser.add_argument(
            "--interval", type=float, default=1.0, help="seconds between polls when idle"
        )
        parser.add_argument(
            "--sweep-interval", type=float, default=30.0, help="seconds between sweeps"
        )

    def handle(self, *args, batch: bool, interval: float, sweep_interval: float, **options) -> None:
        from cxloop.server.sweeper import sweep

        worker_id = services.new_worker_id()
        worker = Worker(
            queue_names=["*"],
            interval=interval,
            batch=batch,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        keeper = ("lease keeper", services.beat_interval(), LeaseKeeper(worker_id))
        try:
            if batch:
                with background(keeper):
                    sweep()
                    worker.run()
                return
            worker.configure_signals()
            with background(keeper, ("sweeper", sweep_interval, sweep)):
                worker.run()
        finally:
            try:
                services.retire(worker_id=worker_id)
            except Exception:  # noqa: BLE001 - the lease runs out on its own when the database is gone
                logger.warning(
                    "could not retire worker %s; its lease will run out", worker_id, exc_info=True
                )
