from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "cxloop.surveys"
    label = "surveys"
