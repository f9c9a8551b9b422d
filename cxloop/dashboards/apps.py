from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "cxloop.dashboards"
    label = "dashboards"
