"""Who may see what: scope helpers that answer 404 outside a user's reach.

The rules themselves are the capabilities in `cxloop.orgs.capabilities`; a Scope is one user's
grants read once, with the two capabilities most pages ask (VIEW_ORGANISATION, VIEW_TEAM) unpacked.
"""

from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from cxloop.orgs.capabilities import GRANTS, Capability, Grants, grants_for
from cxloop.orgs.models import ApiKey, Employee, Organisation, Role, Unit

# Kept for callers written before capabilities: the roles that read a whole organisation.
ORG_WIDE_ROLES = set(GRANTS[Capability.VIEW_ORGANISATION].in_organisation)


@dataclass
class Scope:
    """What one user may see: whole organisations, unit subtrees and their own employee record."""

    organisations: set[int] = field(default_factory=set)  # VIEW_ORGANISATION
    led_unit_paths: list[str] = field(default_factory=list)  # VIEW_TEAM through a unit membership
    employee: Employee | None = None
    grants: Grants = field(default_factory=Grants)

    @property
    def admin_of(self) -> set[int]:
        """Organisations whose cases the user manages throughout (their admins); new code asks a capability."""
        return self.grants.organisations(Capability.MANAGE_CASES)

    def sees_organisation(self, organisation_id: int) -> bool:
        return organisation_id in self.organisations

    def sees_unit(self, unit: Unit) -> bool:
        return unit.organisation_id in self.organisations or any(
            unit.path.startswith(path) for path in self.led_unit_paths
        )

    @property
    def is_lead(self) -> bool:
        return bool(self.led_unit_paths)


def api_key_of(request: HttpRequest) -> ApiKey:
    """The organisation's API key that the API's authentication put on the request (`request.auth`)."""
    api_key = getattr(request, "auth", None)
    if not isinstance(api_key, ApiKey):  # only an operation without authentication gets here
        raise PermissionDenied("this operation needs an API key")
    return api_key


def api_key_scope(organisation: Organisation) -> Scope:
    """What an organisation's API key reads: the organisation as its analysts do (docs/api.md)."""
    grants = Grants(memberships=((organisation.pk, None, Role.ANALYST),))
    return Scope(organisations=grants.organisations(Capability.VIEW_ORGANISATION), grants=grants)


def scope_for(user: AbstractBaseUser | AnonymousUser) -> Scope:
    """Read a user's memberships into a scope (two queries)."""
    if not user.is_authenticated:
        return Scope()
    grants = grants_for(user)
    return Scope(
        organisations=grants.organisations(Capability.VIEW_ORGANISATION),
        led_unit_paths=grants.unit_paths(Capability.VIEW_TEAM),
        employee=Employee.objects.filter(user_id=user.pk)
        .select_related("unit", "organisation")
        .first(),
        grants=grants,
    )


def may_coach(scope: Scope, employee: Employee) -> bool:
    """Whether the scope's user writes coaching notes to this employee (never to themselves).

    The unit grant counts wherever it was given: a lead of one team who reads a whole other
    organisation may coach there too (kept as it was; see docs/access.md).
    """
    own = scope.employee is not None and scope.employee.pk == employee.pk
    coaches = bool(scope.grants.unit_paths(Capability.COACH)) or (
        employee.organisation_id in scope.grants.organisations(Capability.COACH)
    )
    return not own and scope.sees_unit(employee.unit) and coaches


def access_unit(user: AbstractBaseUser | AnonymousUser, pk: int) -> Unit:
    """The unit if the user may see it, else 404."""
    unit = Unit.objects.select_related("organisation", "lead").filter(pk=pk).first()
    if unit is None or not scope_for(user).sees_unit(unit):
        raise Http404
    return unit


def access_organisation(user: AbstractBaseUser | AnonymousUser, slug: str) -> Organisation:
    """The organisation if the user may see all of it, else 404."""
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None or not scope_for(user).sees_organisation(organisation.pk):
        raise Http404
    return organisation


def access_employee(user: AbstractBaseUser | AnonymousUser, pk: int) -> Employee:
    """The employee if the user is that employee or sees their unit, else 404."""
    employee = Employee.objects.select_related("unit", "organisation").filter(pk=pk).first()
    if employee is None:
        raise Http404
    scope = scope_for(user)
    if scope.employee is not None and scope.employee.pk == employee.pk:
        return employee
    if not scope.sees_unit(employee.unit):
        raise Http404
    return employee
