from django.apps import AppConfig


class TextConfig(AppConfig):
    name = "cxloop.text"
    label = "text"
    verbose_name = "Text analytics"
