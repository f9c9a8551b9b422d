"""`cxloop apikey create|list|revoke`: API keys of an organisation."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cxloop.orgs.models import ApiKey, Organisation
from cxloop.orgs.services import create_api_key, revoke_api_key


class Command(BaseCommand):
    help = "Create, list or revoke API keys. A new key is shown once; only its hash is stored."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a key and print it once")
        create.add_argument("--organisation", required=True, help="the organisation's slug")
        create.add_argument("--name", default="api", help="what the key is for")
        listing = sub.add_parser("list", help="list keys (prefixes only)")
        listing.add_argument("--organisation", help="only this organisation's keys")
        revoke = sub.add_parser("revoke", help="revoke a key by its prefix")
        revoke.add_argument("prefix")

    def handle(self, *args, action: str, **options) -> None:
        getattr(self, f"_{action}")(**options)

    def _create(self, *, organisation: str, name: str, **_) -> None:
        org = Organisation.objects.filter(slug=organisation).first()
        if org is None:
            raise CommandError(f"no organisation with slug {organisation!r}")
        _, raw_key = create_api_key(organisation=org, name=name)
        self.stdout.write(raw_key)
        self.stderr.write("Store this key now: it cannot be shown again.")

    def _list(self, *, organisation: str | None = None, **_) -> None:
        keys = ApiKey.objects.select_related("organisation").order_by("organisation__slug", "created_at")
        if organisation:
            keys = keys.filter(organisation__slug=organisation)
        for key in keys:
            state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
            self.stdout.write(f"{key.prefix}\t{key.organisation.slug}\t{key.name}\t{state}")

    def _revoke(self, *, prefix: str, **_) -> None:
        key = ApiKey.objects.filter(prefix=prefix).first()
        if key is None:
            raise CommandError(f"no key with prefix {prefix!r}")
        revoke_api_key(api_key=key)
        self.stdout.write(f"Revoked {prefix}.")
