"""Single sign-on against a real OpenID Connect provider started on localhost (no mocks).

The provider is django-oidc-provider in its own process and database (oidc_provider_site/), as
Entra ID or Google Workspace stand beside cxloop. A `requests` session plays the person's browser:
cxloop's login page -> the provider's login form -> its consent page -> back to cxloop, logged in.
"""

from html.parser import HTMLParser

import pytest
import requests
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client

from cxloop.accounts.sso_config import ENDPOINTS, RoleMapping, SsoConfig, config_from_environment
from cxloop.accounts.tests.oidc_provider_site.running import (
    CLIENT_ID,
    PROVIDER_PASSWORD,
    free_port,
)
from cxloop.audit.models import AuditEntry
from cxloop.lib.env import ConfigError
from cxloop.orgs.models import Membership, Role


class _Forms(HTMLParser):
    """The forms of a page: their action and their fields (inputs with a name)."""

    def __init__(self, html: str):
        super().__init__()
        self.forms: list[dict] = []
        self.links: list[tuple[str, str]] = []
        self._link: str | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attrs.get("action") or "", "fields": {}})
        elif tag == "input" and self.forms and attrs.get("name"):
            self.forms[-1]["fields"].setdefault(attrs["name"], attrs.get("value") or "")
        elif tag == "a":
            self._link = attrs.get("href")

    def handle_data(self, data):
        if self._link is not None and data.strip():
            self.links.append((data.strip(), self._link))
            self._link = None


def _submit(browser: requests.Session, page: requests.Response, **fields) -> requests.Response:
    form = _Forms(page.text).forms[0]
    action = requests.compat.urljoin(page.url, form["action"] or page.url)
    return browser.post(action, data={**form["fields"], **fields}, timeout=30)


def sign_in(live_server, username: str, *, next_page: str = "") -> requests.Response:
    """A person clicks the single sign-on button, logs in at the provider and allows cxloop."""
    browser = requests.Session()
    login_page = browser.get(f"{live_server.url}/login/?next={next_page}", timeout=30)
    link = dict(_Forms(login_page.text).links)["Inloggen met Microsoft"]
    at_provider = browser.get(requests.compat.urljoin(login_page.url, link), timeout=30)
    assert "Provider login" in at_provider.text, at_provider.url
    consent = _submit(browser, at_provider, username=username, password=PROVIDER_PASSWORD)
    assert "Request for Permission" in consent.text, consent.text[:500]
    back = _submit(browser, consent, allow="Authorize")
    back.browser = browser
    return back


def logged_in_user(live_server, answer: requests.Response):
    """The cxloop user whose session the browser now holds, or None."""
    jar = answer.browser.cookies  # the provider's cookies are 127.0.0.1's, cxloop's localhost's
    key = next(
        (c.value for c in jar if c.name == "sessionid" and "127.0.0.1" not in c.domain), None
    )
    user_id = SessionStore(session_key=key).get("_auth_user_id") if key else None
    return get_user_model().objects.filter(pk=user_id).first()


# --- the whole login ---------------------------------------------------------------------------------


def test_a_known_person_logs_in_through_the_provider_and_gets_the_mapped_role(
    cast, sso_on, live_server
):
    login_page = requests.get(f"{live_server.url}/login/", timeout=30).text
    assert login_page.index("Inloggen met Microsoft") < login_page.index('name="password"')

    answer = sign_in(live_server, "lotte", next_page="/cases/")

    lotte = cast.lead.user
    assert logged_in_user(live_server, answer) == lotte  # matched by e-mail, case aside
    assert answer.url == f"{live_server.url}/cases/", answer.url
    assert Membership.objects.filter(
        user=lotte, organisation=cast.owner, role=Role.ANALYST
    ).exists()
    granted = AuditEntry.objects.get(action="role.granted", user=lotte)
    assert granted.organisation == cast.owner and granted.after["role"] == Role.ANALYST
    # A second login grants nothing new and writes no second entry.
    sign_in(live_server, "lotte")
    assert AuditEntry.objects.filter(action="role.granted", user=lotte).count() == 1


def test_an_unknown_email_is_refused_with_a_message_and_no_account(cast, sso_on, live_server):
    users_before = get_user_model().objects.count()

    answer = sign_in(live_server, "onbekend")

    assert answer.status_code == 200 and answer.url.startswith(f"{live_server.url}/login/")
    assert "cxloop kent het e-mailadres van dat account niet" in answer.text
    assert logged_in_user(live_server, answer) is None
    assert get_user_model().objects.count() == users_before
    from axes.models import AccessAttempt

    assert not AccessAttempt.objects.exists()  # an office's address is not locked out by refusals


def test_with_create_users_a_new_person_gets_an_account_and_the_groups_role(
    cast, sso_on, live_server, settings
):
    settings.CXLOOP_OIDC = SsoConfig(**{**sso_on.__dict__, "create_users": True})

    answer = sign_in(live_server, "nieuw")

    nina = get_user_model().objects.get(email="nieuw@leasewijs.nl")
    assert logged_in_user(live_server, answer) == nina
    assert nina.first_name == "Nina" and not nina.has_usable_password()
    assert Membership.objects.filter(
        user=nina, organisation=cast.owner, role=Role.ORG_ADMIN
    ).exists()
    created = AuditEntry.objects.get(action="user.created_by_sign_in")
    assert created.user == nina and created.organisation == cast.owner
    # An organisation admin must use two steps; this provider did not say it asked two.
    assert answer.url.startswith(f"{live_server.url}/account/two-factor/setup/"), answer.url


def test_the_providers_two_factors_count_and_a_password_alone_does_not(cast, sso_on, live_server):
    olivia = cast.owner_admin
    olivia.email = "olivia@leasewijs.nl"
    olivia.save()

    strong = sign_in(live_server, "olivia-mfa", next_page="/cases/")
    assert logged_in_user(live_server, strong) == olivia
    assert strong.url == f"{live_server.url}/cases/", strong.url

    weak = sign_in(live_server, "olivia-pwd", next_page="/cases/")
    assert logged_in_user(live_server, weak) == olivia
    assert weak.url.startswith(f"{live_server.url}/account/two-factor/setup/"), weak.url
    assert weak.browser.get(f"{live_server.url}/cases/", timeout=30).url.startswith(
        f"{live_server.url}/account/two-factor/"
    )


def test_an_id_token_from_another_issuer_is_refused(cast, sso_on, live_server, settings, provider):
    """The endpoints are the provider's, but the operator named another issuer: no login."""
    paths = ("authorize", "token", "userinfo", "jwks")
    endpoints = {
        name: f"{provider}/openid/{path}" for name, path in zip(ENDPOINTS, paths, strict=True)
    }
    settings.CXLOOP_OIDC = SsoConfig(
        **{**sso_on.__dict__, "issuer": "https://login.example/other", "endpoints": endpoints}
    )

    answer = sign_in(live_server, "lotte")

    assert logged_in_user(live_server, answer) is None
    assert answer.url.startswith(f"{live_server.url}/login/")
    assert "Inloggen via je organisatie is niet gelukt" in answer.text
    assert not Membership.objects.filter(user=cast.lead.user, role=Role.ANALYST).exists()


# --- off, and the configuration ------------------------------------------------------------------------


@pytest.mark.django_db
def test_without_configuration_single_sign_on_is_off(settings):
    assert settings.CXLOOP_OIDC is None  # the test environment sets no CXLOOP_OIDC_*
    assert "SingleSignOnBackend" not in " ".join(settings.AUTHENTICATION_BACKENDS)
    client = Client()
    page = client.get("/login/").content.decode()
    assert "/oidc/" not in page and 'name="password"' in page
    assert client.get("/oidc/authenticate/").status_code == 404
    assert client.get("/oidc/callback/?code=x&state=y").status_code == 404


def test_the_configuration_reads_the_environment():
    assert config_from_environment({}) is None
    sso = config_from_environment(
        {
            "CXLOOP_OIDC_CLIENT_ID": "abc",
            "CXLOOP_OIDC_CLIENT_SECRET": "s",
            "CXLOOP_OIDC_ISSUER": "https://login.microsoftonline.com/tenant/v2.0/",
            "CXLOOP_OIDC_ROLE_CLAIM": "groups",
            "CXLOOP_OIDC_ROLES": "cx-admins=leasewijs:org_admin, cx-analysts=leasewijs:analyst",
            "CXLOOP_OIDC_CREATE_USERS": "true",
            "CXLOOP_OIDC_LOGIN_LABEL": "Inloggen met Microsoft",
        }
    )
    assert sso.issuer == "https://login.microsoftonline.com/tenant/v2.0"
    assert sso.roles == (
        RoleMapping("cx-admins", "leasewijs", "org_admin"),
        RoleMapping("cx-analysts", "leasewijs", "analyst"),
    )
    assert sso.create_users and sso.login_label == "Inloggen met Microsoft"


@pytest.mark.parametrize(
    "env",
    [
        {"CXLOOP_OIDC_CLIENT_ID": "abc"},  # no issuer and no endpoints
        {"CXLOOP_OIDC_CLIENT_ID": "abc", "CXLOOP_OIDC_TOKEN_ENDPOINT": "https://x/token"},
        {
            "CXLOOP_OIDC_CLIENT_ID": "abc",
            "CXLOOP_OIDC_ISSUER": "https://x",
            "CXLOOP_OIDC_ROLES": "a=b:analyst",
        },
        {
            "CXLOOP_OIDC_CLIENT_ID": "abc",
            "CXLOOP_OIDC_ISSUER": "https://x",
            "CXLOOP_OIDC_ROLE_CLAIM": "groups",
            "CXLOOP_OIDC_ROLES": "leasewijs:analyst",
        },
        {
            "CXLOOP_OIDC_CLIENT_ID": "abc",
            "CXLOOP_OIDC_ISSUER": "https://x",
            "CXLOOP_OIDC_CREATE_USERS": "ja",
        },
    ],
)
def test_a_bad_configuration_fails_loudly(env):
    with pytest.raises(ConfigError):
        config_from_environment(env)


@pytest.mark.django_db
def test_when_on_both_urls_are_public_like_the_login_page(settings):
    """The access matrix asks them while single sign-on is off; this is their answer when it is on."""
    endpoints = {name: f"https://idp.example/{name.lower()}" for name in ENDPOINTS}
    settings.CXLOOP_OIDC = SsoConfig(client_id=CLIENT_ID, client_secret="s", endpoints=endpoints)
    to_provider = Client().get("/oidc/authenticate/?next=/cases/")
    assert to_provider.status_code == 302
    sent = to_provider["Location"]
    assert sent.startswith("https://idp.example/oidc_op_authorization_endpoint?")
    assert "redirect_uri=http%3A%2F%2Ftestserver%2Foidc%2Fcallback%2F" in sent
    assert "code_challenge=" in sent and "nonce=" in sent and f"client_id={CLIENT_ID}" in sent
    # Back without a code (or with the provider's error): the login page, saying so.
    for query in ("", "?error=access_denied&state=x"):
        back = Client().get(f"/oidc/callback/{query}", follow=True)
        assert back.request["PATH_INFO"] == "/login/"
        assert "Inloggen via je organisatie is" in back.content.decode()


@pytest.mark.django_db
def test_an_unreachable_provider_is_a_message_not_an_error(settings):
    settings.CXLOOP_OIDC = SsoConfig(
        client_id=CLIENT_ID, client_secret="s", issuer=f"http://127.0.0.1:{free_port()}/nobody"
    )
    answer = Client().get("/oidc/authenticate/", follow=True)
    assert answer.request["PATH_INFO"] == "/login/"
    assert "kan niet worden bereikt" in answer.content.decode()
