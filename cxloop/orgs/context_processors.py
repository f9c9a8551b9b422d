"""What the navigation shows a user, read once per page."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from cxloop.orgs.models import Role


def _navigation(request: HttpRequest) -> dict[str, bool]:
    user = request.user
    if not user.is_authenticated:
        return {}
    roles = set(user.memberships.filter(unit__isnull=True).values_list("role", flat=True))
    return {
        "org_reader": bool(roles & {Role.ORG_ADMIN, Role.JOURNEY_OWNER, Role.ANALYST}),
        "rule_editor": bool(roles & {Role.ORG_ADMIN, Role.JOURNEY_OWNER}),
        "org_admin": Role.ORG_ADMIN in roles or user.is_superuser,
    }


def navigation(request: HttpRequest) -> dict[str, object]:
    return {"nav": SimpleLazyObject(lambda: _navigation(request))}
