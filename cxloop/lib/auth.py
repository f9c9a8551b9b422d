"""The request a view behind `login_required` receives, for type checking.

Django types `request.user` as `User | AnonymousUser`; behind `login_required` it is always a
logged-in `User`, which is what the services that act on a person's behalf take. This is the
pattern django-stubs documents for it; nothing here runs differently.
"""

from django.contrib.auth.models import User
from django.http import HttpRequest


class AuthenticatedHttpRequest(HttpRequest):
    """An `HttpRequest` whose user has logged in (annotate views behind `login_required` with it)."""

    user: User
