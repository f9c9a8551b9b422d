"""Reading a user's second factor: which devices they have and what their authenticator app needs.

The devices are django-otp's: a TOTP device (RFC 6238, the six-digit code of an authenticator app)
and a static device holding one-time backup codes. Who must use them is an access rule and lives in
cxloop.orgs.capabilities.must_use_two_factor.
"""

import base64

import segno
from django.conf import settings
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

AUTHENTICATOR = "authenticator"  # the name of the TOTP device a user sets up
BACKUP_CODES = "backup codes"  # the name of the static device with one-time codes


def has_second_factor(user) -> bool:
    """Whether `user` has a confirmed authenticator, so that logging in asks for a code."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def authenticator(user) -> TOTPDevice | None:
    """The confirmed authenticator of `user`, if any."""
    return TOTPDevice.objects.filter(user=user, name=AUTHENTICATOR, confirmed=True).first()


def second_factor_state(user) -> tuple[bool, bool]:
    """(has a confirmed authenticator, must use one), in one query: asked on every staff request."""
    from django.contrib.auth import get_user_model
    from django.db.models import Exists, OuterRef, Q

    from cxloop.orgs.capabilities import TWO_FACTOR_ROLES
    from cxloop.orgs.models import Membership

    row = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .annotate(
            has_one=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
            needs_one=Q(is_staff=True)
            | Q(is_superuser=True)
            | Exists(Membership.objects.filter(user=OuterRef("pk"), role__in=TWO_FACTOR_ROLES)),
        )
        .values_list("has_one", "needs_one")
        .get()
    )
    return bool(row[0]), bool(row[1])


def pending_authenticator(user) -> TOTPDevice | None:
    """The authenticator `user` started to set up and has not confirmed with a code yet."""
    return TOTPDevice.objects.filter(user=user, name=AUTHENTICATOR, confirmed=False).first()


def backup_codes_left(user) -> int:
    device = StaticDevice.objects.filter(user=user, name=BACKUP_CODES).first()
    return device.token_set.count() if device else 0


def secret_for_typing(device: TOTPDevice) -> str:
    """The shared secret in base32, grouped in fours, for apps that cannot scan the QR code."""
    secret = base64.b32encode(bytes.fromhex(device.key)).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_svg(device: TOTPDevice) -> str:
    """The otpauth:// address of `device` as an inline SVG QR code (made here, nothing fetched)."""
    return segno.make(device.config_url, error="m").svg_inline(
        scale=5, dark="#1a1a1a", light="#ffffff", title=settings.OTP_TOTP_ISSUER
    )
