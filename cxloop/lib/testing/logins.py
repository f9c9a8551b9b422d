"""Logging staff in from tests, the one way every test does it.

Tests never call `client.force_login` themselves: a login here is a complete one (the same state a
person has after the login page), so that a rule added to logging in holds for every test at once.
"""

from django.test import Client


def logged_in(user, client: Client | None = None) -> Client:
    """A test client with `user` fully logged in."""
    client = client or Client()
    client.force_login(user)
    return client
