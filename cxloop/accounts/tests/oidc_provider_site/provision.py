"""Set the test provider up: tables, a signing key, cxloop as a client, and people.

python -m cxloop.accounts.tests.oidc_provider_site.provision '<json>' with
{"redirect_uri": ..., "client_id": ..., "client_secret": ..., "people": [{"username", "password",
"email", "first_name", "last_name", "groups": [...]}]}
"""

import json
import os
import sys

import django


def main(spec: dict) -> None:
    os.environ.setdefault(
        "DJANGO_SETTINGS_MODULE", "cxloop.accounts.tests.oidc_provider_site.settings"
    )
    django.setup()
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from oidc_provider.models import Client, ResponseType

    call_command("migrate", verbosity=0)
    call_command("creatersakey")
    client = Client.objects.create(
        name="cxloop",
        client_type="confidential",
        client_id=spec["client_id"],
        client_secret=spec["client_secret"],
        jwt_alg="RS256",
        require_consent=True,
        reuse_consent=False,
    )
    client.redirect_uris = [spec["redirect_uri"]]
    client.save()
    client.response_types.add(ResponseType.objects.get(value="code"))
    for person in spec["people"]:
        user = User.objects.create_user(
            username=person["username"],
            password=person["password"],
            email=person["email"],
            first_name=person.get("first_name", ""),
            last_name=person.get("last_name", ""),
        )
        for name in person.get("groups", []):
            user.groups.add(Group.objects.get_or_create(name=name)[0])


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
