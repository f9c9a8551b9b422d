from django.apps import AppConfig


class DigestConfig(AppConfig):
    name = "cxloop.digest"
    label = "digest"
