"""What the navigation shows a user, read once per page."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from cxloop.orgs.models import Role


def _navigation(request: HttpRequest) -> dict[str, object]:
    user = request.user
    if not user.is_authenticated:
        return {}
    memberships = list(user.memberships.filter(unit__isnull=True).select_related("organisation").order_by("organisation__name"))
    roles = {m.role for m in memberships}
    readers = [m.organisation.slug for m in memberships if m.role in {Role.ORG_ADMIN, Role.JOURNEY_OWNER, Role.ANALYST}]
    return {
        "organisation_slug": readers[0] if readers else "",
        "org_reader": bool(roles & {Role.ORG_ADMIN, Role.JOURNEY_OWNER, Role.ANALYST}),
        "rule_editor": bool(roles & {Role.ORG_ADMIN, Role.JOURNEY_OWNER}),
        "org_admin": Role.ORG_ADMIN in roles or user.is_superuser,
        "privacy": bool(roles & {Role.PRIVACY_OFFICER, Role.ORG_ADMIN}),
    }


def navigation(request: HttpRequest) -> dict[str, object]:
    return {"nav": SimpleLazyObject(lambda: _navigation(request))}
