"""Single sign-on's configuration from the CXLOOP_OIDC_* environment variables (docs/configuration.md).

Read by settings.py, so nothing here imports models; AccountsConfig.ready() checks the role names.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from os import environ

from cxloop.lib.env import ConfigError

# Session key: the provider reported a login with more than one factor (RFC 8176 "mfa" in `amr`).
VERIFIED_BY_PROVIDER = "cxloop_second_factor_by_provider"

ENDPOINTS = {
    # mozilla-django-oidc's setting: (our variable's suffix, the discovery document's key)
    "OIDC_OP_AUTHORIZATION_ENDPOINT": ("AUTHORIZATION_ENDPOINT", "authorization_endpoint"),
    "OIDC_OP_TOKEN_ENDPOINT": ("TOKEN_ENDPOINT", "token_endpoint"),
    "OIDC_OP_USER_ENDPOINT": ("USERINFO_ENDPOINT", "userinfo_endpoint"),
    "OIDC_OP_JWKS_ENDPOINT": ("JWKS_ENDPOINT", "jwks_uri"),
}


@dataclass(frozen=True)
class RoleMapping:
    """A value of the role claim (a group) that gives a role in an organisation."""

    value: str
    organisation_slug: str
    role: str


@dataclass(frozen=True)
class SsoConfig:
    """Single sign-on as configured by the CXLOOP_OIDC_* environment variables."""

    client_id: str
    client_secret: str
    issuer: str = ""
    endpoints: dict[str, str] = field(default_factory=dict)  # mozilla-django-oidc's names
    login_label: str = ""
    create_users: bool = False
    role_claim: str = ""
    roles: tuple[RoleMapping, ...] = ()
    scopes: str = "openid email profile"
    sign_algo: str = "RS256"
    timeout: int = 10


def config_from_environment(env: Mapping[str, str] | None = None) -> SsoConfig | None:
    """The configuration from CXLOOP_OIDC_*, or None (single sign-on off) without a client id."""
    values = environ if env is None else env

    def get(name: str, default: str = "") -> str:
        return values.get(f"CXLOOP_OIDC_{name}", default).strip()

    client_id = get("CLIENT_ID")
    if not client_id:
        return None
    issuer = get("ISSUER").rstrip("/")
    endpoints = {ours: get(suffix) for ours, (suffix, _key) in ENDPOINTS.items() if get(suffix)}
    if not issuer and len(endpoints) < len(ENDPOINTS):
        missing = [f"CXLOOP_OIDC_{s}" for o, (s, _k) in ENDPOINTS.items() if o not in endpoints]
        raise ConfigError(
            f"CXLOOP_OIDC_CLIENT_ID is set: set CXLOOP_OIDC_ISSUER or {', '.join(missing)}"
        )
    roles = []
    for item in filter(None, (part.strip() for part in get("ROLES").split(","))):
        value, _eq, target = item.rpartition("=")
        slug, _colon, role = target.partition(":")
        if not value or not slug or not role:
            raise ConfigError(f"CXLOOP_OIDC_ROLES: {item!r} is not group=organisation-slug:role")
        roles.append(RoleMapping(value.strip(), slug.strip(), role))
    if roles and not get("ROLE_CLAIM"):
        raise ConfigError("CXLOOP_OIDC_ROLES needs CXLOOP_OIDC_ROLE_CLAIM (e.g. groups)")
    create = get("CREATE_USERS").lower()
    if create not in {"", "1", "true", "yes", "on", "0", "false", "no", "off"}:
        raise ConfigError(f"CXLOOP_OIDC_CREATE_USERS must be true or false, not {create!r}")
    return SsoConfig(
        client_id=client_id,
        client_secret=get("CLIENT_SECRET"),
        issuer=issuer,
        endpoints=endpoints,
        login_label=get("LOGIN_LABEL"),
        create_users=create in {"1", "true", "yes", "on"},
        role_claim=get("ROLE_CLAIM"),
        roles=tuple(roles),
        scopes=get("SCOPES", "openid email profile"),
        sign_algo=get("SIGN_ALGO", "RS256"),
    )
