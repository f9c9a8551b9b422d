"""The organisation admin's people pages: invite by e-mail, set a password with the link, roles,
new password links, deactivating; and nobody reaches another organisation or makes a superuser."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from cxloop.audit.models import AuditEntry
from cxloop.lib.testing.logins import login_through_pages
from cxloop.messaging.links import redact
from cxloop.messaging.models import OutboxMessage
from cxloop.messaging.services import as_sent, as_stored
from cxloop.orgs.models import Membership, Role

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "een-lang-wachtwoord-42"
LINK = re.compile(r"http://[^\s]+(/account/welcome/[^\s/]+/)")


def _link_in_last_email(recipient: str) -> str:
    message = OutboxMessage.objects.filter(recipient=recipient).order_by("-pk").first()
    assert message is not None, f"no e-mail to {recipient}"
    assert "/account/welcome/" not in message.body_text  # the outbox keeps only a marker
    return LINK.search(as_sent(message).text).group(1)


def _invite(client: Client, slug: str, **data):
    return client.post(
        f"/people/{slug}/invite/",
        {"email": "nieuw@leasewijs.nl", "name": "Nina", "role": "team_lead", **data},
    )


def test_an_invited_person_sets_a_password_with_the_link_and_logs_in(
    cast, django_capture_on_commit_callbacks
):
    olivia = cast.client_for(cast.owner_admin)
    with django_capture_on_commit_callbacks(execute=True):
        answer = _invite(olivia, "leasewijs", unit=cast.team.pk)
    assert answer.status_code == 302
    nina = get_user_model().objects.get(email="nieuw@leasewijs.nl")
    assert not nina.has_usable_password() and not nina.is_superuser and not nina.is_staff
    assert Membership.objects.filter(
        user=nina, organisation=cast.owner, unit=cast.team, role=Role.TEAM_LEAD
    ).exists()
    message = OutboxMessage.objects.get(recipient="nieuw@leasewijs.nl")
    assert (
        "Leasewijs" in message.subject and "gebruikersnaam" in message.body_text
    )  # staff e-mails are Dutch
    assert "[link om een wachtwoord te kiezen]" in as_stored(message).text
    path = _link_in_last_email("nieuw@leasewijs.nl")

    visitor = Client()
    page = visitor.get(path)
    assert page.status_code == 200 and "nieuw@leasewijs.nl" in page.content.decode()
    too_short = visitor.post(path, {"new_password1": "kort", "new_password2": "kort"})
    assert too_short.status_code == 422  # Django's password validators
    done = visitor.post(path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/login/"
    assert visitor.get(path).status_code == 404  # a link works once

    answer = login_through_pages(Client(), "nieuw@leasewijs.nl", NEW_PASSWORD)
    assert answer.status_code == 200 and answer.wsgi_request.user == nina
    assert AuditEntry.objects.filter(action="user.invited", user=cast.owner_admin).exists()


def test_an_invited_admin_sets_up_two_step_verification_after_the_first_login(
    cast, django_capture_on_commit_callbacks
):
    olivia = cast.client_for(cast.owner_admin)
    with django_capture_on_commit_callbacks(execute=True):
        _invite(olivia, "leasewijs", email="beheer@leasewijs.nl", role="org_admin")
    path = _link_in_last_email("beheer@leasewijs.nl")
    Client().post(path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    browser = Client()
    first = browser.post("/login/", {"username": "beheer@leasewijs.nl", "password": NEW_PASSWORD})
    assert first.status_code == 302
    assert browser.get("/people/leasewijs/")["Location"].startswith("/account/two-factor/setup/")
    answer = login_through_pages(Client(), "beheer@leasewijs.nl", NEW_PASSWORD)
    assert answer.wsgi_request.user.is_verified()


def test_an_invitation_links_the_employee_with_that_address(cast):
    cast.colleague.email = "bram@leasewijs.nl"
    cast.colleague.user = None
    cast.colleague.save()
    _invite(
        cast.client_for(cast.owner_admin), "leasewijs", email="Bram@Leasewijs.nl", role="employee"
    )
    cast.colleague.refresh_from_db()
    assert cast.colleague.user.email == "bram@leasewijs.nl"


def test_a_link_stops_working_after_its_time(cast, settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(cast.client_for(cast.owner_admin), "leasewijs")
    path = _link_in_last_email("nieuw@leasewijs.nl")
    settings.PASSWORD_RESET_TIMEOUT = -1
    answer = Client().get(path)
    assert answer.status_code == 404 and "werkt niet meer" in answer.content.decode()
    assert Client().get("/account/welcome/not-a-token/").status_code == 404


def test_the_list_shows_people_and_their_roles(cast):
    page = cast.client_for(cast.owner_admin).get("/people/leasewijs/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "lotte" in text and "teamleider" in text.lower() and "Team Noord" in text
    assert "paula" not in text  # Belcentrum's admin


def test_roles_are_granted_and_taken_away_and_audited(cast):
    olivia = cast.client_for(cast.owner_admin)
    anouk = cast.agent.user
    assert (
        olivia.post(f"/people/leasewijs/{anouk.pk}/grant/", {"role": "analyst"}).status_code == 302
    )
    membership = Membership.objects.get(user=anouk, role=Role.ANALYST)
    assert AuditEntry.objects.filter(action="role.granted", user=cast.owner_admin).exists()
    assert (
        olivia.post(
            f"/people/leasewijs/{anouk.pk}/revoke/", {"membership": membership.pk}
        ).status_code
        == 302
    )
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert AuditEntry.objects.filter(action="role.revoked", user=cast.owner_admin).exists()
    assert (
        olivia.post(f"/people/leasewijs/{anouk.pk}/revoke/", {"membership": "x"}).status_code == 409
    )


def test_no_role_in_another_organisation_and_no_superuser(cast):
    olivia = cast.client_for(cast.owner_admin)
    anouk = cast.agent.user
    partner_unit = cast.partner_agent.unit
    refused = olivia.post(
        f"/people/leasewijs/{anouk.pk}/grant/", {"role": "org_admin", "unit": partner_unit.pk}
    )
    assert refused.status_code == 422
    assert (
        olivia.post(f"/people/leasewijs/{anouk.pk}/grant/", {"role": "superuser"}).status_code
        == 422
    )
    assert (
        olivia.post(
            f"/people/leasewijs/{anouk.pk}/grant/",
            {"role": "analyst", "is_superuser": "on", "is_staff": "on"},
        ).status_code
        == 302
    )
    anouk.refresh_from_db()
    assert not anouk.is_superuser and not anouk.is_staff
    assert not Membership.objects.filter(user=anouk, organisation=cast.partner).exists()
    # Another organisation's pages and people: 404, whatever is posted.
    assert olivia.get("/people/belcentrum/").status_code == 404
    assert (
        olivia.post(
            "/people/belcentrum/invite/", {"email": "x@y.nl", "role": "org_admin"}
        ).status_code
        == 404
    )
    paula = cast.partner_admin
    assert olivia.get(f"/people/leasewijs/{paula.pk}/").status_code == 404
    assert olivia.post(f"/people/leasewijs/{paula.pk}/deactivate/").status_code == 404
    # Non-admins: 404.
    for user in (cast.lead.user, cast.agent.user):
        assert cast.client_for(user).get("/people/leasewijs/").status_code == 404
        assert cast.client_for(user).get("/people/").status_code == 404


def test_a_new_password_link_and_deactivating(cast, django_capture_on_commit_callbacks):
    olivia = cast.client_for(cast.owner_admin)
    anouk = cast.agent.user
    anouk.email = "anouk@leasewijs.nl"
    anouk.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert olivia.post(f"/people/leasewijs/{anouk.pk}/password/").status_code == 302
    path = _link_in_last_email("anouk@leasewijs.nl")
    Client().post(path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert login_through_pages(Client(), "anouk", NEW_PASSWORD).wsgi_request.user == anouk

    assert olivia.post(f"/people/leasewijs/{anouk.pk}/deactivate/").status_code == 302
    anouk.refresh_from_db()
    assert not anouk.is_active
    assert AuditEntry.objects.filter(action="user.deactivated", user=cast.owner_admin).exists()
    assert (
        Client().post("/login/", {"username": "anouk", "password": NEW_PASSWORD}).status_code == 200
    )
    assert olivia.post(f"/people/leasewijs/{anouk.pk}/reactivate/").status_code == 302


def test_an_admin_cannot_lock_out_themselves_or_someone_of_another_organisation(cast):
    olivia_user = cast.owner_admin
    olivia = cast.client_for(olivia_user)
    assert olivia.post(f"/people/leasewijs/{olivia_user.pk}/deactivate/").status_code == 409
    own_admin = Membership.objects.get(user=olivia_user, role=Role.ORG_ADMIN)
    assert (
        olivia.post(
            f"/people/leasewijs/{olivia_user.pk}/revoke/", {"membership": own_admin.pk}
        ).status_code
        == 409
    )
    paula = cast.partner_admin
    Membership.objects.create(user=paula, organisation=cast.owner, role=Role.ANALYST)
    assert olivia.post(f"/people/leasewijs/{paula.pk}/deactivate/").status_code == 409
    assert olivia.post(f"/people/leasewijs/{paula.pk}/password/").status_code == 409
    paula.refresh_from_db()
    assert paula.is_active


def test_the_settings_menu_links_people_for_admins_only(cast):
    menu = cast.client_for(cast.owner_admin).get("/cases/").content.decode()
    assert 'href="/people/"' in menu and 'href="/chain/"' in menu
    assert 'href="/people/"' not in cast.client_for(cast.lead.user).get("/cases/").content.decode()
    # Belcentrum's admin manages its people, not the chain Leasewijs leads.
    partner_menu = cast.client_for(cast.partner_admin).get("/cases/").content.decode()
    assert 'href="/people/"' in partner_menu and 'href="/chain/"' not in partner_menu


def test_an_existing_account_gets_the_role_without_an_e_mail_and_a_deactivated_one_is_refused(cast):
    olivia = cast.client_for(cast.owner_admin)
    paula = cast.partner_admin
    paula.email = "paula@belcentrum.nl"
    paula.save()
    answer = _invite(olivia, "leasewijs", email="paula@belcentrum.nl", role="analyst")
    assert answer.status_code == 302
    assert Membership.objects.filter(
        user=paula, organisation=cast.owner, role=Role.ANALYST
    ).exists()
    assert not OutboxMessage.objects.filter(recipient="paula@belcentrum.nl").exists()
    paula.is_active = False
    paula.save()
    refused = _invite(olivia, "leasewijs", email="paula@belcentrum.nl", role="org_admin")
    assert refused.status_code == 422 and "gedeactiveerd" in refused.content.decode()
    assert not Membership.objects.filter(
        user=paula, organisation=cast.owner, role=Role.ORG_ADMIN
    ).exists()


def test_the_set_password_token_is_kept_out_of_logs():
    assert redact("GET /account/welcome/MTI.abc-123/ 404") == "GET /account/welcome/[token]/ 404"
