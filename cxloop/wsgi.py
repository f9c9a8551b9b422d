"""WSGI entry point for cxloop."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxloop.settings")
application = get_wsgi_application()
