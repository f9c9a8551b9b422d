from django.apps import AppConfig


class ProcessConfig(AppConfig):
    name = "cxloop.process"
    label = "process"
    verbose_name = "Journey analysis"
