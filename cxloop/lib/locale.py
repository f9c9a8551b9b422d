"""Dutch unless the user chose English with the language switch (a browser's preference does not count)."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation


class ChosenLanguageMiddleware:
    """Activate the language from the language-switch cookie, else the default (nl)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


def staff_language(recipient: object = None) -> str:
    """The language of a message to a member of staff: Dutch, the default.

    Staff have no stored language preference (the switch is a cookie of one browser), so an e-mail
    to staff is Dutch whoever's request or worker queued it. One place to change when a person's
    preference is stored; customers' messages follow their contact's language (customers.contacts).
    """
    return settings.LANGUAGE_CODE
