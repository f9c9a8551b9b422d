from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TextConfig(AppConfig):
    name = "cxloop.text"
    label = "text"
    verbose_name = _("Text analytics")
