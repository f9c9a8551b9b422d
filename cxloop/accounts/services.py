"""Changing how a person logs in: their second factor and their password. Each change is audited.

django-otp keeps the devices; these functions decide when one is made, confirmed or removed.
"""

from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from cxloop.accounts.twofactor import AUTHENTICATOR, BACKUP_CODES, pending_authenticator
from cxloop.audit.services import Actor, record_change
from cxloop.orgs.models import Organisation

BACKUP_CODE_COUNT = 10


def start_authenticator(user) -> TOTPDevice:
    """The unconfirmed authenticator whose secret `user` scans; the same one until it is confirmed."""
    return pending_authenticator(user) or TOTPDevice.objects.create(
        user=user, name=AUTHENTICATOR, confirmed=False
    )


@transaction.atomic
def confirm_authenticator(user, token: str) -> list[str] | None:
    """Confirm the pending authenticator with a code from the app, and issue fresh backup codes.

    Returns the backup codes (shown once; only their use is stored), or None when the code is wrong.
    """
    device = pending_authenticator(user)
    if device is None or not device.verify_token(token):
        return None
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()  # one authenticator per person
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _replace_backup_codes(user)
    _record_for_user(
        user,
        actor=user,
        action="user.two_factor_enabled",
        after={"authenticator": device.name, "backup_codes": len(codes)},
    )
    return codes


@transaction.atomic
def remove_two_factor(user, *, actor: Actor) -> int:
    """Remove every second factor of `user` (a lost phone, or turned off by choice); returns how many.

    Someone who must use two-factor sets it up again at their next login.
    """
    removed = TOTPDevice.objects.filter(user=user).delete()[0]
    removed += StaticDevice.objects.filter(user=user).delete()[0]
    _record_for_user(
        user, actor=actor, action="user.two_factor_removed", before={"devices": removed}
    )
    return removed


def record_password_change(user) -> None:
    """Audit that `user` changed their own password (Django's form has already saved it)."""
    _record_for_user(user, actor=user, action="user.password_changed")


@transaction.atomic
def replace_backup_codes(user) -> list[str]:
    """Ten new one-time backup codes for `user`; the old ones stop working."""
    codes = _replace_backup_codes(user)
    _record_for_user(
        user, actor=user, action="user.backup_codes_replaced", after={"backup_codes": len(codes)}
    )
    return codes


def _replace_backup_codes(user) -> list[str]:
    device, _ = StaticDevice.objects.get_or_create(user=user, name=BACKUP_CODES)
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def _record_for_user(user, **entry) -> None:
    # One entry per organisation the person works for, so that each privacy officer finds it.
    organisations = Organisation.objects.filter(memberships__user=user).distinct().order_by("pk")
    for organisation in organisations or [None]:
        record_change(target=user, organisation=organisation, **entry)
