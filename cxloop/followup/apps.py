from django.apps import AppConfig


class FollowupConfig(AppConfig):
    name = "cxloop.followup"
    label = "followup"
