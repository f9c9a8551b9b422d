from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "cxloop.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from cxloop.accounts.welcome import password_link_for
        from cxloop.messaging.links import register_link

        _check_sso_roles()
        # Invitations and new-password e-mails store a marker; the link is made when they are sent.
        register_link("set_password", make=password_link_for, label=_("set-password link"))
        # The idle clock starts at the login itself.
        user_logged_in.connect(_start_idle_clock, weak=False)


def _start_idle_clock(sender, request, user, **kwargs) -> None:
    from cxloop.accounts.middleware import mark_seen

    if request is not None:  # the signal allows a login without a request
        mark_seen(request)


def _check_sso_roles() -> None:
    """Fail at start-up on a role name in CXLOOP_OIDC_ROLES that cxloop does not have."""
    from django.conf import settings

    from cxloop.lib.env import ConfigError
    from cxloop.orgs.models import Role

    sso = getattr(settings, "CXLOOP_OIDC", None)
    for mapping in sso.roles if sso else ():
        if mapping.role not in Role.values:
            raise ConfigError(
                f"CXLOOP_OIDC_ROLES: {mapping.role!r} is not a role; use one of {', '.join(Role.values)}"
            )
