"""`cxloop twofactor reset USERNAME`: for a person who lost their phone and their backup codes."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cxloop.accounts import services, twofactor


class Command(BaseCommand):
    help = (
        "Show or reset a person's two-step verification (they set it up again at their next login)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["status", "reset"])
        parser.add_argument("username")
        parser.add_argument("--yes", action="store_true", help="reset without asking")

    def handle(self, *args, action: str, username: str, yes: bool, **options) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user called {username!r}")
        if action == "status":
            state = "on" if twofactor.has_second_factor(user) else "off"
            self.stdout.write(
                f"{username}\ttwo-step verification {state}\t{twofactor.backup_codes_left(user)} backup codes left"
            )
            return
        if (
            not yes
            and input(f"Remove every second factor of {username}? [y/N] ").strip().lower() != "y"
        ):
            raise CommandError("nothing reset")
        removed = services.remove_two_factor(user, actor=None)
        self.stdout.write(
            self.style.SUCCESS(
                f"Removed {removed} device(s) of {username}; they set up a new one at their next login."
            )
        )
