"""`cxloop sweep`: run due and left-behind work once (workers also do this every 30 seconds)."""

from django.core.management.base import BaseCommand

from cxloop.server import services
from cxloop.server.sweeper import sweep
from cxloop.server.worker import LeaseKeeper, background


class Command(BaseCommand):
    help = "Send due invitations and reminders, retry due messages, recover messages of crashed workers."

    def handle(self, *args, **options) -> None:
        # Keeps the claims of messages this sweep sends alive, so that no worker takes them over.
        with background(("lease keeper", services.beat_interval(), LeaseKeeper(None))):
            report = sweep()
        self.stdout.write(
            ", ".join(f"{name.replace('_', ' ')}: {value}" for name, value in vars(report).items())
        )
