"""Writing the audit log: one helper per kind of entry, called by the services that act.

Modelled on pretix's `log_action` and zulip's RealmAuditLog: the service that changes something
writes the entry in the same transaction, so there is no change without its history. An actor is
a user (a person in the UI), an API key (an organisation's system) or None (cxloop itself).
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models
from django.utils import timezone

from cxloop.audit.models import AuditEntry, AuditEntryQuerySet
from cxloop.orgs.models import ApiKey, Organisation

Actor = AbstractBaseUser | AnonymousUser | ApiKey | None

REDACTED = "[erased]"


def actor_of(request: Any) -> Actor:
    """The actor behind a request: the API key of an API call, else the logged-in user."""
    api_key = getattr(request, "auth", None)
    if isinstance(api_key, ApiKey):
        return api_key
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def record_change(
    *,
    actor: Actor,
    action: str,
    target: models.Model,
    organisation: Organisation | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    customer_id: int | None = None,
    detail: str = "",
) -> AuditEntry:
    """Record that `actor` changed `target`, with the fields before and after the change."""
    return _write(
        kind=AuditEntry.Kind.CHANGE,
        actor=actor,
        action=action,
        target=target,
        organisation=organisation,
        before=_plain(before),
        after=_plain(after),
        customer_id=customer_id,
        detail=detail,
    )


def record_view(
    *,
    actor: Actor,
    action: str,
    target: models.Model,
    organisation: Organisation | None,
    customer_id: int | None = None,
    export: bool = False,
    detail: str = "",
) -> AuditEntry:
    """Record that `actor` looked at (or exported) personal data held in `target`."""
    return _write(
        kind=AuditEntry.Kind.EXPORT if export else AuditEntry.Kind.VIEW,
        actor=actor,
        action=action,
        target=target,
        organisation=organisation,
        before=None,
        after=None,
        customer_id=customer_id,
        detail=detail,
    )


def snapshot(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    """The named fields of an instance as plain JSON values, for `before` and `after`."""
    return _plain({name: getattr(instance, name) for name in fields}) or {}


def redact_customer_entries(*, customer_id: int) -> int:
    """Erasure: blank the personal data in every entry about a customer; the entry itself stays.

    This is the one write the append-only log allows, so it bypasses the guarded queryset.
    """
    entries = AuditEntry.objects.filter(customer_id=customer_id)
    return models.QuerySet.update(
        entries,
        object_repr=REDACTED,
        before=None,
        after=None,
        detail="",
        customer_id=None,
        redacted_at=timezone.now(),
    )


def _write(
    *, kind: str, actor: Actor, action: str, target: models.Model, organisation, **fields
) -> AuditEntry:
    user = actor if isinstance(actor, AbstractBaseUser) else None
    api_key = actor if isinstance(actor, ApiKey) else None
    return AuditEntry.objects.create(
        kind=kind,
        user=user,
        api_key=api_key,
        actor_label=_label(actor),
        organisation=organisation,
        action=action,
        object_type=target._meta.label_lower,
        object_id=str(target.pk or ""),
        object_repr=str(target)[:200],
        **fields,
    )


def _label(actor: Actor) -> str:
    if isinstance(actor, ApiKey):
        return f"API key {actor.prefix} ({actor.name})"
    if isinstance(actor, AbstractBaseUser):
        return actor.get_username()
    return "cxloop"


def _plain(values: dict[str, Any] | None) -> dict[str, Any] | None:
    if values is None:
        return None
    return {key: _plain_value(value) for key, value in values.items()}


def _plain_value(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple | set):
        return [_plain_value(item) for item in value]
    if isinstance(value, dict):
        return {str(k): _plain_value(v) for k, v in value.items()}
    return value


__all__ = [
    "AuditEntryQuerySet",
    "actor_of",
    "record_change",
    "record_view",
    "redact_customer_entries",
    "snapshot",
]
