"""Logging staff in from tests, the one way every test does it.

Tests never call `client.force_login` or `client.login` themselves. A login here is a complete one:
the same state a person has after the login page and, where they have or must have one, their
second factor. `logged_in` takes the short way (a session with a verified device, as django-otp
leaves it); `login_through_pages` walks the real pages as a person does.
"""

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from cxloop.accounts import twofactor
from cxloop.orgs.capabilities import must_use_two_factor


def logged_in(user, client: Client | None = None) -> Client:
    """A test client with `user` fully logged in, second factor included where one is needed."""
    client = client or Client()
    client.force_login(user)
    if must_use_two_factor(user) or twofactor.has_second_factor(user):
        # An authenticator set up on an earlier day: made directly, so no audit entry of today.
        device = twofactor.authenticator(user) or TOTPDevice.objects.create(
            user=user, name=twofactor.AUTHENTICATOR, confirmed=True
        )
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def current_code(device: TOTPDevice) -> str:
    """The code the person's authenticator app shows now (RFC 6238, as django-otp computes it)."""
    code = totp(
        device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift
    )
    return str(code).zfill(device.digits)


def login_through_pages(client: Client, username: str, password: str):
    """Log in on /login/ and, where asked, give the second factor on its page; returns the last answer.

    A second factor is given as a fresh backup code: an app's code works once per 30 seconds, and
    tests log the same person in more often than that.
    """
    answer = client.post("/login/", {"username": username, "password": password})
    if answer.status_code != 302:
        return answer
    answer = client.get(answer.headers["Location"], follow=True)
    path, user = answer.request["PATH_INFO"], answer.wsgi_request.user
    if path == "/account/two-factor/setup/":
        code = current_code(twofactor.pending_authenticator(user))
        return client.post(answer.request["PATH_INFO"], {"code": code})
    if path == "/account/two-factor/verify/":
        device, _ = StaticDevice.objects.get_or_create(user=user, name=twofactor.BACKUP_CODES)
        code = StaticToken.random_token()
        device.token_set.create(token=code)
        return client.post(path, {"code": code}, follow=True)
    return answer
