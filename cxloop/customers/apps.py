from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "cxloop.customers"
    label = "customers"
