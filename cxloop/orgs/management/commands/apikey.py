"""`cxloop apikey create|list|revoke`: API keys of an organisation, with scopes and an optional expiry."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from cxloop.orgs.models import ApiKey, Organisation
from cxloop.orgs.services import create_api_key, revoke_api_key


def _scopes(text: str) -> frozenset[str]:
    scopes = frozenset(part.strip() for part in text.split(",") if part.strip())
    if not scopes or not scopes <= set(ApiKey.Scope.values):
        raise CommandError(f"--scope must be read, write or read,write, not {text!r}")
    return scopes


def _expiry(expires: str | None, days: int | None) -> dt.datetime | None:
    """--expires DATE: the key stops working at 00:00 that day (local time); --days N: N days from now."""
    if days is not None:
        if days < 1:
            raise CommandError("--days must be 1 or more")
        return timezone.now() + dt.timedelta(days=days)
    if expires is None:
        return None
    try:
        day = dt.date.fromisoformat(expires)
    except ValueError:
        raise CommandError(f"--expires needs a date like 2027-06-30, not {expires!r}") from None
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def _state(key: ApiKey, now: dt.datetime) -> str:
    if key.revoked_at:
        return f"revoked {timezone.localtime(key.revoked_at):%Y-%m-%d}"
    if key.expires_at and key.expires_at <= now:
        return "expired"
    return "active"


class Command(BaseCommand):
    help = "Create, list or revoke API keys. A new key is shown once; only its hash is stored."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a key and print it once")
        create.add_argument("--organisation", required=True, help="the organisation's slug")
        create.add_argument("--name", default="api", help="what the key is for")
        create.add_argument(
            "--scope",
            default="read,write",
            help="read (GET only), write (POST, PUT, PATCH, DELETE) or read,write (the default)",
        )
        expiry = create.add_mutually_exclusive_group()
        expiry.add_argument(
            "--expires", metavar="DATE", help="stop working at 00:00 on this date, e.g. 2027-06-30"
        )
        expiry.add_argument("--days", type=int, help="stop working this many days from now")
        listing = sub.add_parser(
            "list", help="list keys (prefixes only) with their scope and expiry"
        )
        listing.add_argument("--organisation", help="only this organisation's keys")
        revoke = sub.add_parser("revoke", help="revoke a key by its prefix")
        revoke.add_argument("prefix")

    def handle(self, *args, action: str, **options) -> None:
        getattr(self, f"_{action}")(**options)

    def _create(
        self,
        *,
        organisation: str,
        name: str,
        scope: str,
        expires: str | None,
        days: int | None,
        **_,
    ) -> None:
        org = Organisation.objects.filter(slug=organisation).first()
        if org is None:
            raise CommandError(f"no organisation with slug {organisation!r}")
        try:
            key, raw_key = create_api_key(
                organisation=org,
                name=name,
                scopes=_scopes(scope),
                expires_at=_expiry(expires, days),
            )
        except ValueError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(raw_key)
        until = (
            f"until {timezone.localtime(key.expires_at):%Y-%m-%d %H:%M}"
            if key.expires_at
            else "without expiry"
        )
        self.stderr.write(
            f"Scope {key.scopes}, valid {until}. Store this key now: it cannot be shown again."
        )

    def _list(self, *, organisation: str | None = None, **_) -> None:
        keys = ApiKey.objects.select_related("organisation").order_by(
            "organisation__slug", "created_at"
        )
        if organisation:
            keys = keys.filter(organisation__slug=organisation)
        now = timezone.now()
        for key in keys:
            expiry = (
                f"expires {timezone.localtime(key.expires_at):%Y-%m-%d %H:%M}"
                if key.expires_at
                else "no expiry"
            )
            self.stdout.write(
                f"{key.prefix}\t{key.organisation.slug}\t{key.name}\t{_state(key, now)}\t{key.scopes}\t{expiry}"
            )

    def _revoke(self, *, prefix: str, **_) -> None:
        key = ApiKey.objects.filter(prefix=prefix).first()
        if key is None:
            raise CommandError(f"no key with prefix {prefix!r}")
        revoke_api_key(api_key=key)
        self.stdout.write(f"Revoked {prefix}.")
