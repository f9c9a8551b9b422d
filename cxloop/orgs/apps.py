from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _create_cache_table(using: str = "default", **kwargs) -> None:
    """`cxloop migrate` also makes the database cache's table, which holds the rate-limit counters."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)


class OrgsConfig(AppConfig):
    name = "cxloop.orgs"
    verbose_name = _("Organisations")
    label = "orgs"

    def ready(self) -> None:
        post_migrate.connect(
            _create_cache_table, sender=self, dispatch_uid="cxloop.orgs.cache_table"
        )
