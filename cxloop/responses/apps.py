from django.apps import AppConfig


class ResponsesConfig(AppConfig):
    name = "cxloop.responses"
    label = "responses"
