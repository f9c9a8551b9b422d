"""`cxloop serve`: the web server, with a background worker beside it."""

import os
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Start the web server on http://HOST:PORT, and a background worker unless --no-worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument(
            "--no-worker", action="store_true", help="do not start a worker process"
        )

    def handle(self, *args, host: str, port: int, threads: int, no_worker: bool, **options) -> None:
        from waitress import serve

        from cxloop.lib.serving import settle_for_serving
        from cxloop.wsgi import application

        settle_for_serving()  # what loading made is frozen out of the garbage collector's reach
        # SIGTERM (systemd, docker stop) ends the server through `finally`, which stops the worker
        # too; by default it would end this process alone and leave the worker running on.
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
        worker = None
        if not no_worker:
            worker = subprocess.Popen([sys.executable, "-m", "cxloop.cli", "worker"])
        self.stdout.write(
            f"cxloop is running on http://{host}:{port}/ (database: {settings.DATABASES['default']['NAME']})"
        )
        self.stdout.write("Stop it with Ctrl+C.")
        try:
            serve(application, host=host, port=port, threads=threads, ident="cxloop")
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=10)
