"""The audit log records who did what, refuses to be rewritten, and forgets an erased customer."""

import pytest

from cxloop.audit.models import AppendOnly, AuditEntry
from cxloop.audit.queries import audit_entries
from cxloop.audit.services import record_change, record_view, redact_customer_entries, snapshot
from cxloop.customers.models import Customer
from cxloop.orgs.models import ApiKey


def test_a_change_by_a_person_keeps_who_what_before_and_after(cast):
    customer = Customer.objects.create(chain=cast.chain, key="K-1", email="oud@example.nl")
    before = snapshot(customer, ["email", "phone"])
    customer.email = "nieuw@example.nl"
    entry = record_change(
        actor=cast.owner_admin,
        action="customer.contact_changed",
        target=customer,
        organisation=cast.owner,
        before=before,
        after=snapshot(customer, ["email", "phone"]),
        customer_id=customer.pk,
    )
    entry.refresh_from_db()
    assert entry.actor_label == cast.owner_admin.username
    assert entry.before == {"email": "oud@example.nl", "phone": ""}
    assert entry.after == {"email": "nieuw@example.nl", "phone": ""}
    assert entry.object_type == "customers.customer" and entry.object_id == str(customer.pk)


def test_an_api_key_is_named_as_the_actor(cast):
    api_key = ApiKey.objects.filter(organisation=cast.partner).first()
    entry = record_view(
        actor=api_key,
        action="customer.exported",
        target=cast.partner,
        organisation=cast.partner,
        export=True,
    )
    assert entry.kind == AuditEntry.Kind.EXPORT
    assert entry.actor_label.startswith(f"API key {api_key.prefix}")


def test_entries_cannot_be_changed_or_deleted(cast):
    entry = record_change(actor=None, action="x.y", target=cast.owner, organisation=cast.owner)
    entry.action = "something.else"
    with pytest.raises(AppendOnly):
        entry.save()
    with pytest.raises(AppendOnly):
        entry.delete()
    with pytest.raises(AppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).update(action="z")
    with pytest.raises(AppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == "x.y"


def test_erasure_redacts_the_customers_entries_and_keeps_the_rest(cast):
    customer = Customer.objects.create(chain=cast.chain, key="K-2", email="weg@example.nl")
    about = record_change(
        actor=cast.owner_admin,
        action="customer.contact_changed",
        target=customer,
        organisation=cast.owner,
        before={"email": "weg@example.nl"},
        after={"email": ""},
        customer_id=customer.pk,
    )
    other = record_change(
        actor=cast.owner_admin, action="rule.changed", target=cast.owner, organisation=cast.owner
    )
    assert redact_customer_entries(customer_id=customer.pk) == 1
    about.refresh_from_db()
    other.refresh_from_db()
    assert (
        about.before is None and about.object_repr == "[erased]" and about.redacted_at is not None
    )
    assert other.redacted_at is None


def test_reads_are_scoped_to_one_organisation_and_filter(cast):
    record_change(
        actor=cast.owner_admin, action="rule.changed", target=cast.owner, organisation=cast.owner
    )
    record_change(
        actor=cast.partner_admin,
        action="rule.changed",
        target=cast.partner,
        organisation=cast.partner,
    )
    record_view(
        actor=cast.owner_admin, action="case.viewed", target=cast.owner, organisation=cast.owner
    )
    owner_entries = audit_entries(organisation=cast.owner)
    assert {e.organisation_id for e in owner_entries} == {cast.owner.pk}
    assert [e.action for e in audit_entries(organisation=cast.owner, kind="view")] == [
        "case.viewed"
    ]
    assert [
        e.action
        for e in audit_entries(
            organisation=cast.owner, actor=cast.owner_admin.username, action="rule."
        )
    ] == ["rule.changed"]


def test_an_entry_outlives_a_user_deleted_around_django_and_a_step_back_forgets_the_reference(
    cast,
):
    import importlib

    from django.apps import apps
    from django.contrib.auth.models import User

    gone = User.objects.create_user("weg", password="x-long-enough-1")
    kept = record_change(
        actor=cast.owner_admin, action="x.changed", target=cast.owner, organisation=cast.owner
    )
    orphan = record_change(actor=gone, action="x.changed", target=cast.owner, organisation=None)
    User.objects.filter(pk=gone.pk)._raw_delete(User.objects.db)  # no cascade, no SET_NULL
    orphan.refresh_from_db()  # the log's references are its own: the entry stays as written
    assert orphan.user_id == gone.pk and orphan.actor_label == "weg"
    # Going back to checked foreign keys first forgets what they would reject.
    importlib.import_module(
        "cxloop.audit.migrations.0004_log_references_unchecked"
    ).forget_references_to_deleted_rows(apps, None)
    orphan.refresh_from_db()
    kept.refresh_from_db()
    assert orphan.user_id is None and orphan.actor_label == "weg"
    assert kept.user_id == cast.owner_admin.pk
