"""The capability table: where a role holds, the self capabilities, superusers, and its documentation."""

import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser

from cxloop.messaging.models import OutboxMessage
from cxloop.orgs.capabilities import (
    GRANTS,
    Capability,
    can,
    holders,
    organisations_where,
)
from cxloop.orgs.models import Role
from cxloop.orgs.services import grant_role

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]
PASSWORD = "test-password-123"


def _user(username: str):
    return get_user_model().objects.create_user(username=username, password=PASSWORD)


def test_a_role_narrowed_to_a_unit_holds_in_that_subtree_only(cast):
    analyst = _user("anja")
    grant_role(user=analyst, organisation=cast.owner, role=Role.ANALYST, unit=cast.department)
    assert can(analyst, Capability.VIEW_TEAM, cast.team)  # below the department
    assert can(analyst, Capability.MANAGE_CASES, cast.department)
    assert not can(analyst, Capability.VIEW_ORGANISATION, cast.owner)
    assert not can(analyst, Capability.EDIT_TOPICS, cast.owner)
    client = cast.client_for(analyst)
    assert client.get(f"/units/{cast.team.pk}/").status_code == 200
    assert client.get(f"/organisations/{cast.owner.slug}/").status_code == 404


def test_an_organisation_wide_role_holds_in_every_unit(cast):
    assert can(cast.owner_admin, Capability.VIEW_TEAM, cast.team)
    assert can(cast.owner_admin, Capability.MANAGE_CASES, cast.team)
    assert not can(cast.owner_admin, Capability.VIEW_TEAM, cast.partner_agent.unit)
    assert not can(cast.lead.user, Capability.VIEW_TEAM, cast.department)  # above Lotte's team


def test_a_team_lead_role_without_a_unit_grants_nothing(cast):
    user = _user("tim")
    grant_role(user=user, organisation=cast.owner, role=Role.TEAM_LEAD)
    assert not any(can(user, capability) for capability in Capability)
    assert cast.client_for(user).get("/").status_code == 200  # the "no access" page


def test_own_scores_come_from_the_employee_record_not_a_role(cast):
    assert can(cast.agent.user, Capability.VIEW_OWN_SCORES)
    assert can(cast.agent.user, Capability.VIEW_OWN_SCORES, cast.owner)
    assert not can(cast.agent.user, Capability.VIEW_OWN_SCORES, cast.partner)
    assert not can(cast.owner_admin, Capability.VIEW_OWN_SCORES)


def test_nobody_anonymous_holds_anything(cast):
    anonymous = AnonymousUser()
    assert not any(can(anonymous, capability, cast.owner) for capability in Capability)
    assert not organisations_where(anonymous, Capability.VIEW_ORGANISATION).exists()


def test_organisations_where_lists_organisation_wide_grants_by_name(cast):
    owner = _user("jolien")
    grant_role(user=owner, organisation=cast.partner, role=Role.JOURNEY_OWNER)
    grant_role(user=owner, organisation=cast.owner, role=Role.JOURNEY_OWNER)
    grant_role(user=owner, organisation=cast.outsider_org, role=Role.ANALYST)
    where = organisations_where(owner, Capability.CONFIGURE_SURVEYS)
    assert list(where) == [cast.partner, cast.owner]  # Belcentrum before Leasewijs
    assert list(organisations_where(owner, Capability.VIEW_OUTBOX)) == []


def test_a_superuser_reads_every_outbox_and_nothing_more(cast):
    root = get_user_model().objects.create_superuser(username="root", password=PASSWORD)
    OutboxMessage.objects.create(
        organisation=cast.outsider_org,
        sender="a@x.nl",
        recipient="b@x.nl",
        subject="s",
        body_text="b",
    )
    OutboxMessage.objects.create(sender="a@x.nl", recipient="c@x.nl", subject="s", body_text="b")
    assert can(root, Capability.VIEW_OUTBOX, cast.partner)
    assert not can(root, Capability.VIEW_ORGANISATION, cast.partner)
    page = cast.client_for(root).get("/outbox/").content.decode()
    assert "b@x.nl" in page and "c@x.nl" in page  # also a message of no organisation
    admin_page = cast.client_for(cast.owner_admin).get("/outbox/").content.decode()
    assert "b@x.nl" not in admin_page


def test_escalations_go_to_the_holders_in_the_organisation(cast):
    assert list(holders(Capability.RECEIVE_ESCALATIONS, cast.owner)) == [cast.owner_admin]
    assert list(holders(Capability.RECEIVE_ESCALATIONS, cast.partner)) == [cast.partner_admin]


def test_docs_describe_every_capability():
    docs = (ROOT / "docs" / "access.md").read_text()
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", docs, flags=re.MULTILINE))
    assert documented == {capability.name for capability in Capability}
    assert set(GRANTS) == set(Capability)


def test_pages_ask_capabilities_and_never_name_a_role():
    """Views, queries and the navigation go through cxloop.orgs.capabilities."""
    sources = [
        *ROOT.glob("cxloop/*/views.py"),
        *ROOT.glob("cxloop/*/*_views.py"),
        *ROOT.glob("cxloop/*/queries.py"),
        *ROOT.glob("cxloop/*/queries/*.py"),
        *ROOT.glob("cxloop/*/context_processors.py"),
        *ROOT.glob("cxloop/*/api.py"),
    ]
    assert len(sources) > 20
    naming = [str(p.relative_to(ROOT)) for p in sources if re.search(r"\bRole\.", p.read_text())]
    assert not naming, (
        f"ask a capability (cxloop/orgs/capabilities.py) instead of a role in {naming}"
    )
