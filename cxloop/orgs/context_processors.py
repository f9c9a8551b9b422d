"""What the navigation shows a user, read once per page."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from cxloop.orgs.capabilities import Capability, Grants


def _navigation(request: HttpRequest) -> dict[str, object]:
    user = request.user
    if not user.is_authenticated:
        return {}
    memberships = list(
        user.memberships.filter(unit__isnull=True)
        .select_related("organisation")
        .order_by("organisation__name")
    )
    grants = Grants(
        memberships=tuple((m.organisation_id, None, m.role) for m in memberships),
        is_superuser=user.is_superuser,
    )
    readable = grants.organisations(Capability.VIEW_ORGANISATION)
    readers = [m.organisation.slug for m in memberships if m.organisation_id in readable]
    structured = grants.organisations(Capability.MANAGE_STRUCTURE)
    structure = [m.organisation.slug for m in memberships if m.organisation_id in structured]
    return {
        "organisation_slug": readers[0] if readers else "",
        "org_reader": bool(readable),
        # One key for the survey links and the follow-up settings link (the same roles today).
        "rule_editor": grants.anywhere(Capability.CONFIGURE_SURVEYS),
        "org_admin": grants.anywhere(Capability.VIEW_OUTBOX),  # the Outbox link
        "privacy": grants.anywhere(Capability.MANAGE_PRIVACY),
        "api": grants.anywhere(Capability.INTEGRATE),
        "structure_slug": structure[0] if structure else "",  # the Structure link
        "people": grants.anywhere(Capability.MANAGE_PEOPLE),
        "chain": _leads_a_chain(
            m.organisation
            for m in memberships
            if m.organisation_id in grants.organisations(Capability.MANAGE_CHAIN)
        ),
    }


def _leads_a_chain(organisations) -> bool:
    from cxloop.journeys.queries import leads_chain  # journeys builds on orgs, not the other way

    return any(leads_chain(organisation) for organisation in organisations)


def navigation(request: HttpRequest) -> dict[str, object]:
    return {"nav": SimpleLazyObject(lambda: _navigation(request))}
