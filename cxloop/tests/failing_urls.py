"""A URL map with one view that fails, for the 500 page's test."""

from django.urls import include, path

from cxloop.urls import handler403, handler404, handler500
from cxloop.urls import urlpatterns as app_urls


def fails(request):
    raise RuntimeError("a failing view for the test")


urlpatterns = [path("fails/", fails), path("", include(app_urls))]
__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]
