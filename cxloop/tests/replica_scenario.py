"""Run by test_read_replica.py in a process of its own, configured for a primary and its replica
(CXLOOP_DATABASE_URL, CXLOOP_DATABASE_REPLICA_URL): it uses cxloop through its pages and its API,
records which database served every statement, and prints what it saw as JSON for the test to judge.
"""

import json
import os
import re
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import django


def _setup():
    from django.contrib.auth import get_user_model

    from cxloop.journeys.models import Channel, JourneyType, Touchpoint
    from cxloop.orgs.models import Chain, Organisation, Role
    from cxloop.orgs.services import create_api_key, create_employee, create_unit, grant_role
    from cxloop.surveys.models import InvitationRule, Question, Survey

    chain = Chain.objects.create(name="Leaseketen", slug="leaseketen")
    owner = Organisation.objects.create(chain=chain, name="Leasewijs", slug="leasewijs")
    team = create_unit(organisation=owner, name="Team Noord", slug="team-noord")
    agent = create_employee(organisation=owner, unit=team, code="A1", name="Anouk Agent")
    admin = get_user_model().objects.create_user(username="olivia", password="test-password-123")
    grant_role(user=admin, organisation=owner, role=Role.ORG_ADMIN)
    journey_type = JourneyType.objects.create(
        chain=chain, owner=owner, name="Schade melden", slug="schade-melden"
    )
    Touchpoint.objects.create(journey_type=journey_type, name="Melding", slug="melding")
    Channel.objects.create(chain=chain, name="Telefoon", slug="telefoon")
    survey = Survey.objects.create(organisation=owner, name="Na contact")
    Question.objects.create(
        survey=survey,
        position=1,
        kind=Question.Kind.NPS,
        text_nl="Aanbevelen?",
        text_en="Recommend?",
    )
    InvitationRule.objects.create(organisation=owner, survey=survey, quiet_hours_for_email=False)
    return owner, agent, admin, create_api_key(organisation=owner, name="crm")[1]


def _wait_until_replayed(timeout: float = 10) -> None:
    from django.db import connections

    with connections["default"].cursor() as primary:
        primary.execute("select pg_current_wal_insert_lsn()")
        lsn = primary.fetchone()[0]
    deadline = time.monotonic() + timeout
    with connections["replica"].cursor() as replica:
        while True:
            replica.execute("select pg_wal_lsn_diff(%s, pg_last_wal_replay_lsn()) <= 0", [lsn])
            if replica.fetchone()[0] or time.monotonic() > deadline:
                return
            time.sleep(0.05)


@contextmanager
def _statements() -> Iterator[list[tuple[str, str]]]:
    """Every statement run in the block, in order, with the alias of the database that ran it."""
    from django.db import connections

    seen: list[tuple[str, str]] = []

    def recorder(alias: str):
        def record(execute, sql, params, many, context):
            seen.append((alias, sql))
            return execute(sql, params, many, context)

        return record

    with ExitStack() as stack:
        for alias in ("default", "replica"):
            stack.enter_context(connections[alias].execute_wrapper(recorder(alias)))
        yield seen


def _counts(seen: list[tuple[str, str]]) -> dict[str, int]:
    return {alias: sum(1 for a, _ in seen if a == alias) for alias in ("default", "replica")}


def _writes_feedback(sql: str) -> bool:
    """An INSERT, UPDATE or DELETE of a table the replica may serve (not sessions, keys or logins)."""
    verb = sql.lstrip().split(" ", 1)[0].upper()
    ignored = ("django_session", "orgs_apikey", "axes_", "otp_", "auth_")
    return verb in ("INSERT", "UPDATE", "DELETE") and not any(t in sql for t in ignored)


class _NoMigrations:
    """Tables made straight from the models, as pytest-django's --nomigrations does: seconds, not half
    a minute of migrations (which the rest of the suite runs and checks)."""

    def __contains__(self, app_label: str) -> bool:
        return True

    def __getitem__(self, app_label: str) -> None:
        return None


def _create_tables() -> None:
    from django.conf import settings
    from django.core.management import call_command

    settings.MIGRATION_MODULES = _NoMigrations()
    call_command("migrate", run_syncdb=True, verbosity=0)


def main() -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxloop.settings")
    django.setup()
    from django.db import connections
    from django.test import Client

    from cxloop.journeys.models import Interaction
    from cxloop.lib.replica import PIN_COOKIE
    from cxloop.lib.testing.logins import logged_in

    facts: dict = {}
    for alias in ("default", "replica"):
        with connections[alias].cursor() as cursor:
            cursor.execute("select pg_is_in_recovery(), inet_server_port()")
            facts[f"{alias}_in_recovery"], facts[f"{alias}_port"] = cursor.fetchone()

    _create_tables()
    owner, agent, admin, key = _setup()
    _wait_until_replayed()
    browser = logged_in(admin)
    api = {"HTTP_AUTHORIZATION": f"Bearer {key}"}

    with _statements() as seen:
        page = browser.get(f"/organisations/{owner.slug}/")
    facts["dashboard"] = {"status": page.status_code, **_counts(seen)}

    with _statements() as seen:
        answer = Client().get("/api/responses", **api)
    facts["api_get"] = {"status": answer.status_code, **_counts(seen)}

    interaction = {
        "external_id": "call-1",
        "occurred_at": "2026-11-20T10:15:00+01:00",
        "customer": {"key": "K-1", "email": "klant@example.nl", "language": "nl"},
        "journey_id": "claim-123",
        "journey_type": "schade-melden",
        "channel": "telefoon",
        "touchpoint": "melding",
        "employee": "A1",
    }
    with _statements() as seen:
        answer = Client().post(
            "/api/interactions", data=interaction, content_type="application/json", **api
        )
    facts["api_post"] = {"status": answer.status_code, **_counts(seen)}
    stored = Interaction.objects.filter(external_id="call-1")
    facts["written_on_primary"] = stored.using("default").exists()
    _wait_until_replayed()
    facts["replicated"] = stored.using("replica").exists()

    # Reads the customer, writes the audit entry of the export, then reads what it exports.
    with _statements() as seen:
        answer = Client().get("/api/customers/K-1/export", **api)
    first_write = next(i for i, (a, sql) in enumerate(seen) if _writes_feedback(sql))
    facts["read_after_write"] = {
        "status": answer.status_code,
        "write_on": seen[first_write][0],
        "replica_before_write": sum(1 for a, _ in seen[:first_write] if a == "replica"),
        "replica_after_write": sum(1 for a, _ in seen[first_write:] if a == "replica"),
        "primary_after_write": sum(1 for a, _ in seen[first_write + 1 :] if a == "default"),
    }

    # A browser that wrote (an audited export) reads its next page from the primary.
    html = browser.get(f"/employees/{agent.pk}/").content.decode()
    table = re.findall(r"format=csv&amp;table=([a-z_]+)", html)[0]
    with _statements() as seen:
        export = browser.get(f"/employees/{agent.pk}/?format=csv&table={table}")
    facts["export"] = {"status": export.status_code, "pinned": PIN_COOKIE in export.cookies}
    with _statements() as seen:
        page = browser.get(f"/organisations/{owner.slug}/")
    facts["page_after_write"] = {"status": page.status_code, **_counts(seen)}
    return facts


if __name__ == "__main__":
    json.dump(main(), sys.stdout)
