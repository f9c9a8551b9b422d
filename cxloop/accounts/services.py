"""Changing how a person logs in: their second factor, their password, and the account and roles
that single sign-on gives them. Each change is audited.

django-otp keeps the devices; these functions decide when one is made, confirmed or removed.
"""

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from cxloop.accounts.twofactor import AUTHENTICATOR, BACKUP_CODES, pending_authenticator
from cxloop.audit.services import Actor, record_change
from cxloop.orgs.models import Organisation
from cxloop.orgs.services import grant_role

if TYPE_CHECKING:
    from cxloop.accounts.sso import RoleMapping

BACKUP_CODE_COUNT = 10
logger = logging.getLogger(__name__)


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


@transaction.atomic
def create_user_from_provider(*, claims: dict, mappings: Sequence["RoleMapping"] = ()):
    """A new user for someone whose organisation's sign-in cxloop trusts (CXLOOP_OIDC_CREATE_USERS).

    The e-mail address is the username (made unique); the user has no password, so they log in only
    through single sign-on. Roles come from `mappings` (the provider's groups).
    """
    users = get_user_model().objects
    email = claims["email"].strip()
    username, suffix = email[:150], 1
    while users.filter(username__iexact=username).exists():
        suffix += 1
        username = f"{email[:140]}-{suffix}"
    user = users.create_user(
        username=username,
        email=email,
        first_name=str(claims.get("given_name", ""))[:150],
        last_name=str(claims.get("family_name", ""))[:150],
    )  # no password: an unusable one
    _grant(user, mappings)
    _record_for_user(
        user,
        actor=user,
        action="user.created_by_sign_in",
        after={"username": username, "email": email},
    )
    return user


@transaction.atomic
def grant_mapped_roles(*, user, mappings: Sequence["RoleMapping"]) -> list:
    """Give `user` the roles their provider's groups map to (CXLOOP_OIDC_ROLES); new ones are audited.

    Roles are only granted: a role someone no longer holds at the provider is taken away by an
    admin in cxloop (docs/security.md), so a missing claim never silently removes access.
    """
    return _grant(user, mappings)


def _grant(user, mappings) -> list:
    granted = []
    for mapping in mappings:
        organisation = Organisation.objects.filter(slug=mapping.organisation_slug).first()
        if organisation is None:
            logger.warning(
                "CXLOOP_OIDC_ROLES names organisation %r, which does not exist",
                mapping.organisation_slug,
            )
            continue
        # The person's own login is the actor: their provider's group membership asked for it.
        granted.append(
            grant_role(user=user, organisation=organisation, role=mapping.role, actor=user)
        )
    return granted


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
