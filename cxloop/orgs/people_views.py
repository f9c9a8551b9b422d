"""The organisation admin's people pages: who logs in, with which roles; invitations and password links.

Everything is asked as MANAGE_PEOPLE in the organisation of the URL; anyone else gets 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cxloop.orgs import people
from cxloop.orgs.capabilities import Capability, can, organisations_where, roles_granting
from cxloop.orgs.forms import InviteForm, RoleForm
from cxloop.orgs.models import Membership, Organisation
from cxloop.orgs.services import grant_role, revoke_role


def _organisation(request: HttpRequest, slug: str) -> Organisation:
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None or not can(request.user, Capability.MANAGE_PEOPLE, organisation):
        raise Http404
    return organisation


def _person(organisation: Organisation, pk: int):
    """A user with a role in this organisation, else 404."""
    return get_object_or_404(people.people_of(organisation), pk=pk)


def _may_change_account(request: HttpRequest, organisation: Organisation, person) -> bool:
    """Whether the admin may deactivate this person or send them a password link.

    Not platform staff, not themselves, and not someone who also works for another organisation:
    their account is not this organisation's alone.
    """
    elsewhere = Membership.objects.filter(user=person).exclude(organisation=organisation).exists()
    return not (person.is_staff or person.is_superuser or person == request.user or elsewhere)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Straight to the people of the (first) organisation the user administers."""
    organisation = organisations_where(request.user, Capability.MANAGE_PEOPLE).first()
    if organisation is None:
        raise Http404
    return redirect("people:list", slug=organisation.slug)


@login_required
def people_list(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _organisation(request, slug)
    rows = [
        (person, people.memberships_of(person, organisation))
        for person in people.people_of(organisation)
    ]
    context = {
        "organisation": organisation,
        "rows": rows,
        "organisations": organisations_where(request.user, Capability.MANAGE_PEOPLE),
    }
    return render(request, "orgs/people.html", context)


@login_required
def invite(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _organisation(request, slug)
    form = InviteForm(request.POST or None, organisation=organisation)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                person = people.invite_person(
                    organisation=organisation,
                    email=data["email"],
                    name=data["name"],
                    role=data["role"],
                    unit=data["unit"],
                    actor=request.user,
                )
            except people.PeopleError:
                form.add_error("email", _("The account with this e-mail address is deactivated."))
            else:
                if person.has_usable_password():  # an existing account: no e-mail needed
                    done = _("%(email)s has the role.")
                else:
                    done = _("%(email)s has the role; an e-mail to set a password is on its way.")
                messages.success(request, done % {"email": person.email})
                return redirect("people:person", slug=organisation.slug, pk=person.pk)
        return render(
            request, "orgs/invite.html", {"organisation": organisation, "form": form}, status=422
        )
    return render(request, "orgs/invite.html", {"organisation": organisation, "form": form})


@login_required
def person(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = _organisation(request, slug)
    found = _person(organisation, pk)
    return _person_page(request, organisation, found, RoleForm(organisation=organisation))


def _person_page(request, organisation, found, form, status: int = 200) -> HttpResponse:
    context = {
        "organisation": organisation,
        "person": found,
        "memberships": people.memberships_of(found, organisation),
        "form": form,
        "may_change_account": _may_change_account(request, organisation, found),
    }
    return render(request, "orgs/person.html", context, status=status)


@login_required
@require_POST
def grant(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = _organisation(request, slug)
    found = _person(organisation, pk)
    form = RoleForm(request.POST, organisation=organisation)
    if not form.is_valid():
        return _person_page(request, organisation, found, form, status=422)
    grant_role(
        user=found,
        organisation=organisation,
        role=form.cleaned_data["role"],
        unit=form.cleaned_data["unit"],
        actor=request.user,
    )
    messages.success(request, _("Role granted."))
    return redirect("people:person", slug=organisation.slug, pk=found.pk)


@login_required
@require_POST
def revoke(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = _organisation(request, slug)
    found = _person(organisation, pk)
    chosen = request.POST.get("membership", "")
    membership = Membership.objects.filter(
        pk=int(chosen) if chosen.isdigit() else 0, user=found, organisation=organisation
    ).first()
    if membership is None:
        return _refuse(
            request, organisation, found, _("Choose a role of this person to take away.")
        )
    managing = roles_granting(Capability.MANAGE_PEOPLE)
    if found == request.user and membership.unit_id is None and membership.role in managing:
        # Nobody locks themselves out; another admin takes the role away.
        return _refuse(request, organisation, found, _("You cannot take away your own admin role."))
    revoke_role(membership=membership, actor=request.user)
    messages.success(request, _("Role taken away."))
    if not people.memberships_of(found, organisation).exists():
        return redirect(
            "people:list", slug=organisation.slug
        )  # no longer one of this organisation's people
    return redirect("people:person", slug=organisation.slug, pk=found.pk)


def _refuse(request, organisation, found, message: str) -> HttpResponse:
    messages.error(request, message)
    return _person_page(
        request, organisation, found, RoleForm(organisation=organisation), status=409
    )


def _account(request: HttpRequest, slug: str, pk: int):
    """The organisation, the person, and the refusal when their account is not this organisation's
    alone to change (`_may_change_account`), or None."""
    organisation = _organisation(request, slug)
    found = _person(organisation, pk)
    if _may_change_account(request, organisation, found):
        return organisation, found, None
    message = _("This person's account is not this organisation's alone.")
    return organisation, found, _refuse(request, organisation, found, message)


@login_required
@require_POST
def password(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation, found, refused = _account(request, slug, pk)
    if refused:
        return refused
    try:
        people.send_password_link(user=found, organisation=organisation, actor=request.user)
    except people.PeopleError:
        return _refuse(
            request, organisation, found, _("This person has no e-mail address or is deactivated.")
        )
    messages.success(request, _("An e-mail with a link to set a new password is on its way."))
    return redirect("people:person", slug=organisation.slug, pk=found.pk)


@login_required
@require_POST
def deactivate(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation, found, refused = _account(request, slug, pk)
    if refused:
        return refused
    people.deactivate_user(user=found, organisation=organisation, actor=request.user)
    messages.success(
        request, _("%(username)s can no longer log in.") % {"username": found.username}
    )
    return redirect("people:person", slug=organisation.slug, pk=found.pk)


@login_required
@require_POST
def reactivate(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation, found, refused = _account(request, slug, pk)
    if refused:
        return refused
    people.reactivate_user(user=found, organisation=organisation, actor=request.user)
    messages.success(request, _("%(username)s can log in again.") % {"username": found.username})
    return redirect("people:person", slug=organisation.slug, pk=found.pk)
