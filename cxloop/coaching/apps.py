from django.apps import AppConfig


class CoachingConfig(AppConfig):
    name = "cxloop.coaching"
    label = "coaching"
