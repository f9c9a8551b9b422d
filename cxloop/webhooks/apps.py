from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "cxloop.webhooks"
    label = "webhooks"
