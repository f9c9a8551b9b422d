from django.apps import AppConfig


class DriversConfig(AppConfig):
    name = "cxloop.drivers"
    label = "drivers"
    verbose_name = "Drivers"
