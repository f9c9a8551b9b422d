"""cxloop's own error pages (403, 404, 500 and a refused form), in the app's layout and language."""

import logging

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


def _page(
    request: HttpRequest, template: str, status: int, context: dict | None = None
) -> HttpResponse:
    return HttpResponse(loader.render_to_string(template, context or {}, request), status=status)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, "403.html", 403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent from an old or foreign page: the same 403 page, saying what to do."""
    return _page(request, "403.html", 403, {"form_refused": True})


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, "404.html", 404)


def server_error(request: HttpRequest | None = None) -> HttpResponse:
    """The 500 page without a request context (the request may be what failed); plain text if even that fails."""
    try:
        return HttpResponseServerError(loader.render_to_string("500.html", {}))
    except Exception:  # noqa: BLE001 - the error page itself must not fail
        logger.exception("the 500 page could not be rendered")
        return HttpResponseServerError(
            _("Something went wrong on our side. Please try again later."),
            content_type="text/plain; charset=utf-8",
        )
