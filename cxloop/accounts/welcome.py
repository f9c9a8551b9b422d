"""The link with which a person sets their password: after an invitation, or when an admin sends a new one.

Django's default_token_generator signs the user's id, password hash, last login and the time: the
link stops working once the password is set (the hash changes) and after PASSWORD_RESET_TIMEOUT.
The link is made only when the e-mail is sent (messaging/links.py), so the outbox never holds it.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode


def password_token(user) -> str:
    """One URL part: the user's id and a token, joined by a dot (neither contains one)."""
    return (
        f"{urlsafe_base64_encode(force_bytes(user.pk))}.{default_token_generator.make_token(user)}"
    )


def password_link_for(user_id: int) -> str | None:
    """The link to set a password, made at send time (registered with messaging.links)."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return None
    return settings.BASE_URL + reverse("welcome", kwargs={"token": password_token(user)})


def user_for_token(token: str):
    """The active user the token was made for, or None when it is wrong, used or expired."""
    uid, _, signed = token.partition(".")
    try:
        pk = int(urlsafe_base64_decode(uid).decode())
    except (ValueError, UnicodeDecodeError):
        return None
    user = get_user_model().objects.filter(pk=pk, is_active=True).first()
    if user is None or not default_token_generator.check_token(user, signed):
        return None
    return user
