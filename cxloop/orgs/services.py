"""Writes for organisations, units, people, roles and API keys."""

import hashlib
import secrets
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from cxloop.audit.services import Actor, record_change, snapshot
from cxloop.orgs.models import ApiKey, Employee, Membership, Organisation, Role, Unit

API_KEY_PREFIX = "cxl_"
# A key's "last used" is stamped at most once a minute: a stamp on every call would cost a write
# and a commit per request, which a system posting batches in a loop pays thousands of times.
API_KEY_USE_STAMP_INTERVAL = timedelta(minutes=1)
# What the audit log keeps of a key: never its hash.
API_KEY_FIELDS = ["name", "prefix", "organisation", "scopes", "expires_at"]


@transaction.atomic
def create_unit(
    *,
    organisation: Organisation,
    name: str,
    slug: str,
    parent: Unit | None = None,
    kind: str = Unit.Kind.TEAM,
    actor: Actor = None,
) -> Unit:
    """Create a unit under a parent (or at the top) and give it its materialised path."""
    if parent is not None and parent.organisation_id != organisation.pk:
        raise ValueError("a unit's parent must belong to the same organisation")
    unit = Unit.objects.create(
        organisation=organisation, name=name, slug=slug, parent=parent, kind=kind, path=""
    )
    unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
    unit.save(update_fields=["path"])
    record_change(
        actor=actor,
        action="unit.created",
        target=unit,
        organisation=organisation,
        after=snapshot(unit, ["name", "slug", "kind", "parent", "path"]),
    )
    return unit


@transaction.atomic
def set_unit_lead(*, unit: Unit, lead: Employee | None, actor: Actor = None) -> Unit:
    """Make an employee the lead who receives the unit's follow-up cases."""
    before = snapshot(unit, ["lead"])
    unit.lead = lead
    unit.save(update_fields=["lead"])
    record_change(
        actor=actor,
        action="unit.lead_changed",
        target=unit,
        organisation=unit.organisation,
        before=before,
        after=snapshot(unit, ["lead"]),
    )
    return unit


@transaction.atomic
def create_employee(
    *,
    organisation: Organisation,
    unit: Unit,
    code: str,
    name: str,
    email: str = "",
    username: str | None = None,
    password: str | None = None,
    actor: Actor = None,
) -> Employee:
    """Create an employee, and a user with the employee role when a username is given."""
    user = None
    if username:
        user = get_user_model().objects.create_user(
            username=username, email=email, password=password
        )
        Membership.objects.create(
            user=user, organisation=organisation, unit=unit, role=Role.EMPLOYEE
        )
    employee = Employee.objects.create(
        organisation=organisation, unit=unit, code=code, name=name, email=email, user=user
    )
    record_change(
        actor=actor,
        action="employee.created",
        target=employee,
        organisation=organisation,
        after=snapshot(employee, ["code", "name", "email", "unit", "user"]),
    )
    return employee


MEMBERSHIP_FIELDS = ["user", "organisation", "unit", "role"]


@transaction.atomic
def grant_role(
    *,
    user: User,
    organisation: Organisation,
    role: str,
    unit: Unit | None = None,
    actor: Actor = None,
) -> Membership:
    """Give a user a role in an organisation, or in one unit and everything below it."""
    membership, created = Membership.objects.get_or_create(
        user=user, organisation=organisation, unit=unit, role=role
    )
    if created:
        record_change(
            actor=actor,
            action="role.granted",
            target=membership,
            organisation=organisation,
            after=snapshot(membership, MEMBERSHIP_FIELDS),
        )
    return membership


@transaction.atomic
def revoke_role(*, membership: Membership, actor: Actor = None) -> None:
    """Take a role away from a user; their other roles stay."""
    record_change(
        actor=actor,
        action="role.revoked",
        target=membership,
        organisation=membership.organisation,
        before=snapshot(membership, MEMBERSHIP_FIELDS),
    )
    membership.delete()


def _hash_key(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


class ApiKeyExpired(Exception):
    """The key is right but past its expiry."""

    def __init__(self, api_key: ApiKey):
        super().__init__(f"API key {api_key.prefix} expired at {api_key.expires_at}")
        self.api_key = api_key


def create_api_key(
    *,
    organisation: Organisation,
    name: str,
    scopes: frozenset[str] = frozenset(ApiKey.Scope.values),
    expires_at: datetime | None = None,
    actor: Actor = None,
) -> tuple[ApiKey, str]:
    """Create an API key with its scopes and optional expiry; the raw key is returned once and never stored."""
    if not scopes or not scopes <= set(ApiKey.Scope.values):
        raise ValueError(f"scopes must be read and/or write, not {sorted(scopes)}")
    if expires_at is not None and expires_at <= timezone.now():
        raise ValueError("the expiry must lie in the future")
    prefix = secrets.token_hex(4)
    raw_key = f"{API_KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    api_key = ApiKey.objects.create(
        organisation=organisation,
        name=name,
        prefix=prefix,
        key_hash=_hash_key(raw_key),
        scopes=",".join(sorted(scopes)),
        expires_at=expires_at,
    )
    record_change(
        actor=actor,
        action="api_key.created",
        target=api_key,
        organisation=organisation,
        after=snapshot(api_key, API_KEY_FIELDS),
    )
    return api_key, raw_key


def revoke_api_key(*, api_key: ApiKey, actor: Actor = None) -> ApiKey:
    """Revoke a key; calls with it are refused from now on."""
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
        record_change(
            actor=actor,
            action="api_key.revoked",
            target=api_key,
            organisation=api_key.organisation,
            before={"revoked_at": None},
            after=snapshot(api_key, ["revoked_at"]),
        )
    return api_key


def authenticate_api_key(raw_key: str) -> ApiKey | None:
    """Return the active key matching a raw key, or None; raise ApiKeyExpired for a key past its expiry."""
    if not raw_key.startswith(API_KEY_PREFIX):
        return None
    prefix = raw_key[len(API_KEY_PREFIX) :].split("_", 1)[0]
    api_key = (
        ApiKey.objects.select_related("organisation").filter(prefix=prefix, revoked_at=None).first()
    )
    if api_key is None or not secrets.compare_digest(api_key.key_hash, _hash_key(raw_key)):
        return None
    now = timezone.now()
    if api_key.expires_at is not None and api_key.expires_at <= now:
        raise ApiKeyExpired(api_key)
    if api_key.last_used_at is None or now - api_key.last_used_at >= API_KEY_USE_STAMP_INTERVAL:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
    return api_key
