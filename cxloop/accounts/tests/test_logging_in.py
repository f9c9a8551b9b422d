"""Logging in as people do, on the pages: lockout after wrong passwords, the password rules, the
second factor (required for admins and privacy officers, optional for others) and the idle timeout."""

from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from cxloop.accounts import twofactor
from cxloop.audit.models import AuditEntry
from cxloop.conftest import PASSWORD
from cxloop.lib.testing.logins import current_code, logged_in, login_through_pages

pytestmark = pytest.mark.django_db


def _login(client: Client, username: str, password: str, address: str = "192.0.2.10"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_sixty_wrong_passwords_lock_the_account_from_that_address_after_five(cast):
    client = Client()
    answers = [_login(client, "anouk", f"fout-{n}") for n in range(60)]
    assert [a.status_code for a in answers[:4]] == [200] * 4  # the form again, with its error
    assert "Voer een juiste gebruikersnaam en wachtwoord in" in answers[0].content.decode()
    assert {a.status_code for a in answers[4:]} == {429}
    assert int(answers[10]["Retry-After"]) == 15 * 60
    assert "15" in answers[10].content.decode()
    # Locked: even the right password is refused from that address ...
    assert _login(client, "anouk", PASSWORD).status_code == 429
    # ... while Anouk at her own desk, and a colleague at the same address, still get in.
    assert _login(Client(), "anouk", PASSWORD, address="198.51.100.7").status_code == 302
    assert _login(Client(), "bram", PASSWORD).status_code == 302
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert _login(Client(), "anouk", PASSWORD).status_code == 302


def test_a_successful_login_forgets_earlier_mistakes(cast):
    for _ in range(4):
        _login(Client(), "anouk", "fout")
    assert _login(Client(), "anouk", PASSWORD).status_code == 302
    for _ in range(4):
        assert _login(Client(), "anouk", "fout").status_code == 200


@pytest.mark.parametrize(
    "new_password, message",
    [
        ("password", "too common"),
        ("kort1", "too short"),
        ("12345678901234", "entirely numeric"),
    ],
)
def test_a_weak_new_password_is_refused_with_the_reason(cast, new_password, message):
    client = cast.client_for(cast.agent.user)
    client.cookies["django_language"] = "en"  # the language switch, so the message can be read here
    answer = client.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )
    assert answer.status_code == 200
    assert message in answer.content.decode()
    cast.agent.user.refresh_from_db()
    assert cast.agent.user.check_password(PASSWORD)


def test_a_strong_new_password_works_and_is_audited(cast):
    client = cast.client_for(cast.agent.user)
    new = "zomer-fiets-kade-42"
    answer = client.post(
        "/account/password/", {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert answer.status_code == 302 and answer["Location"] == "/account/"
    assert client.get("/me/").status_code == 200  # still logged in
    assert _login(Client(), "anouk", new).status_code == 302
    entry = AuditEntry.objects.get(action="user.password_changed")
    assert entry.user == cast.agent.user and entry.organisation == cast.owner


def test_an_organisation_admin_must_set_up_a_second_factor_before_any_page(cast):
    client = Client()
    assert _login(client, "olivia", PASSWORD).status_code == 302
    for page in ("/", "/cases/", "/privacy/", "/outbox/", "/admin/"):
        answer = client.get(page)
        assert answer.status_code == 302, page
        assert answer["Location"].startswith("/account/two-factor/setup/?next="), page
    setup = client.get("/account/two-factor/setup/?next=/privacy/")
    html = setup.content.decode()
    assert "<svg" in html and "otpauth" not in html  # the secret is in the QR code, not in a link
    device = twofactor.pending_authenticator(cast.owner_admin)
    assert twofactor.secret_for_typing(device) in html
    wrong = client.post("/account/two-factor/setup/", {"code": "000000", "next": "/privacy/"})
    assert wrong.status_code == 200 and not twofactor.has_second_factor(cast.owner_admin)
    with time_machine.travel(
        timezone.now() + timedelta(seconds=5)
    ):  # django-otp slows retries down
        right = client.post(
            "/account/two-factor/setup/", {"code": current_code(device), "next": "/privacy/"}
        )
    assert right.status_code == 200
    codes = right.context["codes"]
    assert len(codes) == 10 and all(code in right.content.decode() for code in codes)
    assert client.get("/privacy/").status_code in (200, 302)
    assert client.get("/cases/").status_code == 200
    entry = AuditEntry.objects.get(action="user.two_factor_enabled")
    assert entry.user == cast.owner_admin and entry.organisation == cast.owner


def test_the_next_login_asks_for_the_code_and_a_backup_code_works_once(cast):
    client = Client()
    login_through_pages(client, "olivia", PASSWORD)  # sets the authenticator up
    device = TOTPDevice.objects.get(user=cast.owner_admin, confirmed=True)
    backup = client.post("/account/two-factor/backup-codes/").context["codes"][0]

    again = Client()
    _login(again, "olivia", PASSWORD)
    assert again.get("/cases/")["Location"] == "/account/two-factor/verify/?next=%2Fcases%2F"
    wrong = again.post("/account/two-factor/verify/", {"code": "123456", "next": "/cases/"})
    assert wrong.status_code == 200 and again.get("/cases/").status_code == 302
    with time_machine.travel(
        timezone.now() + timedelta(seconds=5)
    ):  # django-otp slows retries down
        answer = again.post("/account/two-factor/verify/", {"code": backup, "next": "/cases/"})
        assert answer.status_code == 302 and answer["Location"] == "/cases/"
        assert again.get("/cases/").status_code == 200

    third = Client()
    _login(third, "olivia", PASSWORD)
    assert third.post("/account/two-factor/verify/", {"code": backup}).status_code == 200  # used up
    device.refresh_from_db()
    with time_machine.travel(timezone.now() + timedelta(seconds=60)):
        answer = third.post(
            "/account/two-factor/verify/", {"code": current_code(device), "next": "/"}
        )
        assert answer.status_code == 302 and answer["Location"] == "/"


def test_an_agent_may_choose_a_second_factor_and_turn_it_off_again(cast):
    client = Client()
    login_through_pages(client, "anouk", PASSWORD)
    assert client.get("/me/").status_code == 200  # no second factor asked
    assert "/account/two-factor/setup/" in client.get("/account/").content.decode()
    client.get("/account/two-factor/setup/")
    device = twofactor.pending_authenticator(cast.agent.user)
    client.post("/account/two-factor/setup/", {"code": current_code(device)})
    assert twofactor.has_second_factor(cast.agent.user)

    later = Client()
    _login(later, "anouk", PASSWORD)
    assert later.get("/me/")["Location"].startswith("/account/two-factor/verify/")

    assert client.post("/account/two-factor/off/", {"code": "000000"}).status_code == 302
    assert twofactor.has_second_factor(cast.agent.user)  # a wrong code turns nothing off
    with time_machine.travel(timezone.now() + timedelta(seconds=60)):
        client.post(
            "/account/two-factor/off/",
            {"code": current_code(twofactor.authenticator(cast.agent.user))},
        )
    assert not twofactor.has_second_factor(cast.agent.user)
    assert AuditEntry.objects.filter(
        action="user.two_factor_removed", user=cast.agent.user
    ).exists()


def test_an_admin_cannot_turn_the_required_second_factor_off(cast):
    client = logged_in(cast.owner_admin)
    device = twofactor.authenticator(cast.owner_admin)
    client.post("/account/two-factor/off/", {"code": current_code(device)})
    assert twofactor.has_second_factor(cast.owner_admin)


def test_thirty_idle_minutes_end_the_session_and_activity_keeps_it(cast):
    client = logged_in(cast.lead.user)
    start = timezone.now()
    for minutes in (29, 58, 87):  # a request every 29 minutes keeps the session
        with time_machine.travel(start + timedelta(minutes=minutes)):
            assert client.get("/cases/").status_code == 200, minutes
    with time_machine.travel(start + timedelta(minutes=87 + 31)):
        answer = client.get("/cases/", follow=True)
        assert answer.redirect_chain[0][0] == "/login/?next=/cases/"
        assert "30 minuten zonder activiteit" in answer.content.decode()
        assert not answer.wsgi_request.user.is_authenticated


def test_a_lost_phone_is_reset_from_the_command_line(cast, capsys):
    logged_in(cast.owner_admin)
    call_command("twofactor", "status", "olivia")
    assert "on" in capsys.readouterr().out
    call_command("twofactor", "reset", "olivia", "--yes")
    assert not twofactor.has_second_factor(cast.owner_admin)
    entry = AuditEntry.objects.get(action="user.two_factor_removed")
    assert entry.actor_label == "cxloop" and entry.organisation == cast.owner
    client = Client()
    _login(client, "olivia", PASSWORD)
    assert client.get("/")["Location"].startswith("/account/two-factor/setup/")


def test_an_ipv6_client_is_locked_out_by_its_network(cast):
    for _ in range(5):
        _login(Client(), "anouk", "fout", address="2001:db8:1:2::10")
    assert _login(Client(), "anouk", PASSWORD, address="2001:db8:1:2::99").status_code == 429
    assert _login(Client(), "anouk", PASSWORD, address="2001:db8:9:9::10").status_code == 302
