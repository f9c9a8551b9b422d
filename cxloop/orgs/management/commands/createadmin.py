"""`cxloop createadmin`: an administrator who can log in to /admin/ and, with --organisation, its dashboards."""

import getpass
import os

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from cxloop.orgs.models import Organisation, Role
from cxloop.orgs.services import grant_role


class Command(BaseCommand):
    help = (
        "Create a superuser; the password comes from --password, CXLOOP_ADMIN_PASSWORD or a prompt."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="admin")
        parser.add_argument("--email", default="")
        parser.add_argument("--password", default=None)
        parser.add_argument("--organisation", help="slug of an organisation to administer too")

    def handle(
        self,
        *args,
        username: str,
        email: str,
        password: str | None,
        organisation: str | None,
        **options,
    ):
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            raise CommandError(f"a user called {username!r} exists already")
        password = password or os.environ.get("CXLOOP_ADMIN_PASSWORD") or self._prompt()
        try:
            with translation.override(
                settings.LANGUAGE_CODE
            ):  # the reasons, in the staff's language
                validate_password(password, User(username=username, email=email))
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        org = None
        if organisation:
            org = Organisation.objects.filter(slug=organisation).first()
            if org is None:
                raise CommandError(f"no organisation with slug {organisation!r}")
        user = User.objects.create_superuser(username=username, email=email, password=password)
        if org is not None:
            grant_role(user=user, organisation=org, role=Role.ORG_ADMIN)
        self.stdout.write(self.style.SUCCESS(f"Created administrator {username!r}."))

    def _prompt(self) -> str:
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("the passwords differ")
        return first
