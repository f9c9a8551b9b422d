from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DriversConfig(AppConfig):
    name = "cxloop.drivers"
    label = "drivers"
    verbose_name = _("Drivers")
