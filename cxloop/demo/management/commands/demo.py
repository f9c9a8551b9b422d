"""`cxloop demo`: load a realistic Dutch demo chain (lease company, call centre, repair shop)."""

import os
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cxloop.demo import content
from cxloop.demo.generator import DemoError, build_demo, demo_exists, demo_logins

# Above this many responses the demo leaves text analysis to the backfill command (about 1,000 a second).
TEXT_ANALYSIS_LIMIT = 50_000


class Command(BaseCommand):
    help = (
        "Load the demo chain Autoketen: Leasewijs, its call centre Belcentrum Direct and the repair shop "
        "Schadeherstel Van Dijk, with six months of journeys, answers and follow-up cases. "
        f"Logins share the password from {content.PASSWORD_ENV} (default {content.DEFAULT_PASSWORD!r})."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seed", type=int, default=42, help="the same seed gives the same demo (default 42)"
        )
        parser.add_argument(
            "--responses",
            type=int,
            default=5000,
            help="about how many survey answers to create (default 5000)",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="if the demo exists already, only print its logins",
        )
        parser.add_argument(
            "--quiet", action="store_true", help="print only the logins and API keys"
        )

    def handle(
        self, *args, seed: int, responses: int, if_empty: bool, quiet: bool, **options
    ) -> None:
        password = os.environ.get(content.PASSWORD_ENV) or content.DEFAULT_PASSWORD
        if demo_exists():
            if not if_empty:
                raise CommandError(
                    f"the demo chain {content.CHAIN_SLUG!r} exists already in this database; "
                    "use --if-empty to keep it, or point CXLOOP_DATA_DIR at a new directory for a fresh one"
                )
            self._print_logins(password)
            self.stdout.write(
                "\nAPI keys were shown when the demo was built; "
                "`cxloop apikey create --organisation SLUG` makes a new one."
            )
            return
        if responses < 0:
            raise CommandError("--responses cannot be negative")
        self._build(seed=seed, responses=responses, password=password, quiet=quiet)

    def _build(self, *, seed: int, responses: int, password: str, quiet: bool) -> None:
        started = time.monotonic()
        progress = None if quiet else self.stderr.write
        try:
            result = build_demo(
                seed=seed, responses=responses, password=password, progress=progress
            )
        except DemoError as error:
            raise CommandError(str(error)) from error
        if not quiet:
            counts = ", ".join(f"{number:,} {name}" for name, number in result.counts.items())
            self.stdout.write(f"Built in {time.monotonic() - started:.1f} s: {counts}.\n")
        self._analyse_text(responses=responses, quiet=quiet)
        self._print_logins(password)
        self.stdout.write("\nAPI keys (shown once; only their hash is stored):")
        for slug, key in result.api_keys.items():
            self.stdout.write(f"  {slug:<12} {key}")

    def _analyse_text(self, *, responses: int, quiet: bool) -> None:
        """Tag the verbatims with sentiment and topics, so the topic pages show something at once."""
        from cxloop.text.services import analyse_pending, embed_recent

        if responses > TEXT_ANALYSIS_LIMIT:
            self.stdout.write("Large demo: analyse its verbatims later with `cxloop text backfill leasewijs` (per organisation).")
            return
        started = time.monotonic()
        analysed = analyse_pending(limit=None)
        embed_recent(limit=None)  # so that the topics page's emerging topics need no model at once
        if not quiet:
            self.stdout.write(f"Analysed {analysed:,} verbatims in {time.monotonic() - started:.1f} s.")

    def _print_logins(self, password: str) -> None:
        self.stdout.write(f"Demo chain {content.CHAIN_NAME} at {settings.BASE_URL}/\n")
        logins = demo_logins()
        width = max((len(login.role) for login in logins), default=0)
        self.stdout.write(f"  {'role':<{width}}  {'username':<14} {'password':<14} sees")
        for login in logins:
            self.stdout.write(
                f"  {login.role:<{width}}  {login.username:<14} {password:<14} {login.sees}"
            )
