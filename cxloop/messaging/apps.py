from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "cxloop.messaging"
    label = "messaging"
