from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DigestConfig(AppConfig):
    name = "cxloop.digest"
    verbose_name = _("Daily digest")
    label = "digest"

    def ready(self) -> None:
        from cxloop.digest.services import stop_link_for
        from cxloop.messaging.links import register_link

        # The digest stores a marker for its stop link; the delivery worker makes it when it sends.
        register_link("digest_stop", make=stop_link_for, label=_("stop link"))
