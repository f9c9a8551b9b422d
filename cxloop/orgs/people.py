"""An organisation's people who log in: inviting them by e-mail, their roles, new password links, deactivating.

Every write is audited. A person is invited with an unusable password and an e-mail holding a link
to set one (accounts.welcome); the link is a marker in the outbox, made only when the e-mail is sent
(messaging/links.py), and it stops working once used or after PASSWORD_RESET_TIMEOUT.
Nobody is made a superuser or staff here, and every role stays inside the organisation it names.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from cxloop.audit.services import Actor, record_change
from cxloop.lib.locale import staff_language
from cxloop.messaging import links
from cxloop.messaging.services import queue_email
from cxloop.orgs.models import Employee, Membership, Organisation, Role, Unit
from cxloop.orgs.services import grant_role

PASSWORD_LINK = "set_password"  # the kind of link in messaging.links


class PeopleError(ValueError):
    """A request about people that cannot be done (the message says why, for the page)."""


def _check_role(organisation: Organisation, role: str, unit: Unit | None) -> None:
    if role not in Role.values:
        raise PeopleError(f"unknown role {role!r}")
    if unit is not None and unit.organisation_id != organisation.pk:
        raise PeopleError("the unit belongs to another organisation")


@transaction.atomic
def invite_person(
    *,
    organisation: Organisation,
    email: str,
    name: str = "",
    role: str,
    unit: Unit | None = None,
    actor: Actor = None,
) -> User:
    """Make (or find) the person's user, grant the role and e-mail them a link to set a password.

    An employee of the organisation with this e-mail address is linked to the new user, so that
    their scores and cases are theirs when they log in. A user who already exists keeps their password.
    """
    _check_role(organisation, role, unit)
    email = email.strip().lower()
    users = get_user_model().objects
    user = users.filter(email__iexact=email).first()
    if user is not None and not user.is_active:
        raise PeopleError("this person is deactivated")
    created = user is None
    if user is None:
        user = users.create_user(username=_free_username(email), email=email, first_name=name[:150])
        record_change(
            actor=actor,
            action="user.invited",
            target=user,
            organisation=organisation,
            after={"username": user.username, "email": email},
        )
    employee = Employee.objects.filter(
        organisation=organisation, email__iexact=email, user=None
    ).first()
    if employee is not None and not hasattr(user, "employee"):
        employee.user = user
        employee.save(update_fields=["user"])
    grant_role(user=user, organisation=organisation, role=role, unit=unit, actor=actor)
    if created or not user.has_usable_password():
        send_password_link(user=user, organisation=organisation, actor=actor, first=True)
    return user


def _free_username(email: str) -> str:
    users = get_user_model().objects
    username, suffix = email[:150], 1
    while users.filter(username__iexact=username).exists():
        suffix += 1
        username = f"{email[:140]}-{suffix}"
    return username


@transaction.atomic
def send_password_link(
    *, user: User, organisation: Organisation, actor: Actor = None, first: bool = False
) -> None:
    """E-mail the person a link to set a (new) password; their current password keeps working until then."""
    if not user.email:
        raise PeopleError("this person has no e-mail address")
    if not user.is_active:
        raise PeopleError("this person is deactivated")
    context = {
        "user": user,
        "organisation": organisation,
        "link": links.marker(PASSWORD_LINK),
        "first": first,
    }
    with translation.override(staff_language(user)):
        queue_email(
            organisation=organisation,
            recipient=user.email,
            subject=render_to_string("orgs/email/password_subject.txt", context).strip(),
            text=render_to_string("orgs/email/password.txt", context),
            purpose="password_link",
            subject_id=user.pk,
            links={PASSWORD_LINK: user.pk},
        )
    record_change(
        actor=actor,
        action="user.password_link_sent",
        target=user,
        organisation=organisation,
        after={"email": user.email},
    )


@transaction.atomic
def deactivate_user(*, user: User, organisation: Organisation, actor: Actor = None) -> None:
    """Stop a person from logging in; their roles and history stay for the record."""
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
        record_change(
            actor=actor,
            action="user.deactivated",
            target=user,
            organisation=organisation,
            before={"is_active": True},
            after={"is_active": False},
        )


@transaction.atomic
def reactivate_user(*, user: User, organisation: Organisation, actor: Actor = None) -> None:
    """Let a deactivated person log in again."""
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
        record_change(
            actor=actor,
            action="user.reactivated",
            target=user,
            organisation=organisation,
            before={"is_active": False},
            after={"is_active": True},
        )


def people_of(organisation: Organisation):
    """The users with a role in the organisation, with their memberships there (for the list)."""
    return (
        get_user_model()
        .objects.filter(memberships__organisation=organisation)
        .distinct()
        .order_by("username")
    )


def memberships_of(user: User, organisation: Organisation):
    return (
        Membership.objects.filter(user=user, organisation=organisation)
        .select_related("unit")
        .order_by("role")
    )
