from django.apps import AppConfig


class ServerConfig(AppConfig):
    name = "cxloop.server"
    label = "server"
    verbose_name = "Running cxloop (web server and worker)"
