"""Writing the audit log: one helper per kind of entry, called by the services that act.

Modelled on pretix's `log_action` and zulip's RealmAuditLog: the service that changes something
writes the entry in the same transaction, so there is no change without its history. An actor is
a user (a person in the UI), an API key (an organisation's system) or None (cxloop itself).
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.core.exceptions import FieldDoesNotExist
from django.db import connection, models
from django.utils import timezone
from django.utils.functional import Promise

from cxloop.audit.models import AuditEntry, AuditEntryQuerySet
from cxloop.lib import bulksql
from cxloop.orgs.models import ApiKey, Organisation

Actor = AbstractBaseUser | AnonymousUser | ApiKey | None

REDACTED = "[erased]"


class AuditTarget(NamedTuple):
    """What an entry is about, for a bulk writer that holds rows' ids rather than model instances."""

    object_type: str  # the model's label, e.g. "customers.customercontact"
    pk: int | str
    label: str  # what str() of the instance says


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
    return _plain({name: getattr(instance, _attname(instance, name)) for name in fields}) or {}


def _attname(instance: models.Model, name: str) -> str:
    # A foreign key is recorded as its id, read without loading the row it points at.
    try:
        field = instance._meta.get_field(name)
    except FieldDoesNotExist:
        return name
    return field.attname if getattr(field, "many_to_one", False) and field.concrete else name


def stored(instance: models.Model, fields: list[str]) -> dict[str, Any] | None:
    """The named fields as the database holds them (None for a new row).

    The `before` of a save through a ModelForm: the form has already written its values onto the
    instance when it validated, so the instance itself no longer knows what it was.
    """
    if instance.pk is None:
        return None
    row = type(instance)._default_manager.filter(pk=instance.pk).first()
    return None if row is None else snapshot(row, fields)


def record_saved(
    *,
    actor: Actor,
    noun: str,
    target: models.Model,
    organisation: Organisation | None,
    before: dict[str, Any] | None,
    fields: list[str],
) -> AuditEntry | None:
    """Record `noun.created` (no `before`) or `noun.changed`; a save that changed nothing is no change."""
    # Read back, so that both sides hold what the database made of the values (24 → "24.00").
    after = stored(target, fields)
    if before == after:
        return None
    return record_change(
        actor=actor,
        action=f"{noun}.{'created' if before is None else 'changed'}",
        target=target,
        organisation=organisation,
        before=before,
        after=after,
    )


def record_chain_change(*, chain_id: int, **entry: Any) -> list[AuditEntry]:
    """One entry for each organisation of a chain, for a change that holds for all of them.

    The chain's contact policy and a customer's opt-out bind every partner, so each partner's
    privacy officer must find the change among their own organisation's entries.
    """
    organisations = Organisation.objects.filter(chain_id=chain_id).order_by("pk")
    return [record_change(organisation=organisation, **entry) for organisation in organisations]


def form_fields(form: Any) -> list[str]:
    """The model fields a ModelForm edits: what its service records before and after."""
    return [name for name in form._meta.fields if name in form.fields]


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


def record_changes_in_bulk(changes: list[dict[str, Any]]) -> None:
    """`record_change` for many changes in one INSERT: each dict holds record_change's arguments.

    For a batch that changes many records at once (an API batch of interactions); every change
    still gets its own entry. `target` may be an AuditTarget instead of a model instance.
    """
    if connection.vendor != "postgresql":
        AuditEntry.objects.bulk_create(
            [_entry(kind=AuditEntry.Kind.CHANGE, **_plain_change(change)) for change in changes]
        )
        return
    rows = []
    actors: dict[int, tuple[int | None, int | None, str]] = {}  # a batch has one actor
    for change in changes:
        entry = _plain_change(change)
        actor, organisation = entry.pop("actor"), entry.pop("organisation")
        if (known := actors.get(id(actor))) is None:
            known = actors[id(actor)] = (
                actor.pk if isinstance(actor, AbstractBaseUser) else None,
                actor.pk if isinstance(actor, ApiKey) else None,
                _label(actor),
            )
        object_type, object_id, object_repr = _target(entry.pop("target"))
        rows.append(
            {
                "kind": AuditEntry.Kind.CHANGE,
                "user_id": known[0],
                "api_key_id": known[1],
                "actor_label": known[2],
                "organisation_id": organisation.pk if organisation else None,
                "object_type": object_type,
                "object_id": object_id,
                "object_repr": object_repr,
                "action": entry.pop("action"),
                "customer_id": entry.pop("customer_id", None),
                "detail": entry.pop("detail", ""),
                **entry,  # before, after
            }
        )
    bulksql.insert(AuditEntry, rows, now=timezone.now())


def _plain_change(change: dict[str, Any]) -> dict[str, Any]:
    return {**change, "before": _plain(change.get("before")), "after": _plain(change.get("after"))}


def _target(target: models.Model | AuditTarget) -> tuple[str, str, str]:
    """The entry's object_type, object_id and object_repr."""
    if isinstance(target, AuditTarget):
        return target.object_type, str(target.pk), target.label[:200]
    return target._meta.label_lower, str(target.pk or ""), str(target)[:200]


def _write(
    *, kind: str, actor: Actor, action: str, target: models.Model, organisation, **fields
) -> AuditEntry:
    entry = _entry(
        kind=kind, actor=actor, action=action, target=target, organisation=organisation, **fields
    )
    entry.save()
    return entry


def _entry(
    *,
    kind: str,
    actor: Actor,
    action: str,
    target: models.Model | AuditTarget,
    organisation,
    **fields,
) -> AuditEntry:
    # Every user is a django.contrib.auth User: cxloop sets no AUTH_USER_MODEL of its own.
    user = actor if isinstance(actor, User) else None
    api_key = actor if isinstance(actor, ApiKey) else None
    object_type, object_id, object_repr = _target(target)
    return AuditEntry(
        kind=kind,
        user=user,
        api_key=api_key,
        actor_label=_label(actor),
        organisation=organisation,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
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
    if value is None or type(value) is str:  # most values: a batch plains thousands
        return value
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, models.Manager):  # a many-to-many field: the related rows' keys
        return sorted(value.values_list("pk", flat=True))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, Decimal | Promise):
        return str(value)
    if isinstance(value, list | tuple | set):
        return [_plain_value(item) for item in value]
    if isinstance(value, dict):
        return {str(k): _plain_value(v) for k, v in value.items()}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


__all__ = [
    "AuditEntryQuerySet",
    "AuditTarget",
    "actor_of",
    "form_fields",
    "record_chain_change",
    "record_change",
    "record_saved",
    "record_view",
    "redact_customer_entries",
    "snapshot",
    "stored",
]
