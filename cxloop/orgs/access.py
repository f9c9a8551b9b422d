"""Who may see what: scope helpers that answer 404 outside a user's reach."""

from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import Http404

from cxloop.orgs.models import Employee, Membership, Organisation, Role, Unit

ORG_WIDE_ROLES = {Role.ORG_ADMIN, Role.JOURNEY_OWNER, Role.ANALYST}


@dataclass
class Scope:
    """What one user may see: whole organisations, unit subtrees and their own employee record."""

    organisations: set[int] = field(default_factory=set)  # org-wide readers
    admin_of: set[int] = field(default_factory=set)  # organisation admins
    led_unit_paths: list[str] = field(default_factory=list)  # team lead of these subtrees
    employee: Employee | None = None

    def sees_organisation(self, organisation_id: int) -> bool:
        return organisation_id in self.organisations

    def sees_unit(self, unit: Unit) -> bool:
        return unit.organisation_id in self.organisations or any(
            unit.path.startswith(path) for path in self.led_unit_paths
        )

    @property
    def is_lead(self) -> bool:
        return bool(self.led_unit_paths)


def scope_for(user: AbstractBaseUser | AnonymousUser) -> Scope:
    """Read a user's memberships into a scope."""
    scope = Scope()
    if not user.is_authenticated:
        return scope
    memberships = Membership.objects.filter(user=user).select_related("unit")
    for membership in memberships:
        if membership.role in ORG_WIDE_ROLES and membership.unit is None:
            scope.organisations.add(membership.organisation_id)
            if membership.role == Role.ORG_ADMIN:
                scope.admin_of.add(membership.organisation_id)
        elif membership.role == Role.TEAM_LEAD and membership.unit is not None:
            scope.led_unit_paths.append(membership.unit.path)
        elif membership.role in ORG_WIDE_ROLES and membership.unit is not None:
            scope.led_unit_paths.append(membership.unit.path)
    scope.employee = Employee.objects.filter(user=user).select_related("unit", "organisation").first()
    return scope


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
