from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "cxloop.audit"
    label = "audit"
