from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "cxloop.orgs"
    label = "orgs"
