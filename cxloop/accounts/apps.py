from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "cxloop.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from cxloop.accounts.middleware import mark_seen

        # The idle clock starts at the login itself.
        user_logged_in.connect(
            lambda sender, request, user, **kwargs: request and mark_seen(request), weak=False
        )
