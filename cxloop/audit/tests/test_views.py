"""Looking at personal data (the case page, a customer, a message) and exporting it leave an entry."""

import pytest
from django.test import Client

from cxloop.audit.models import AuditEntry
from cxloop.conftest import interaction_payload
from cxloop.lib.testing.cases import case_for
from cxloop.lib.testing.responses import make_response, make_responses
from cxloop.messaging.models import OutboxMessage
from cxloop.orgs.models import ApiKey
from cxloop.surveys.models import Invitation

pytestmark = pytest.mark.django_db


def seen(**filters) -> list[AuditEntry]:
    return list(AuditEntry.objects.exclude(kind="change").filter(**filters).order_by("id"))


def test_viewing_a_case_page_writes_a_view_entry_about_its_customer(cast):
    case = case_for(cast, employee=cast.agent)
    lead = cast.client_for(cast.lead.user)
    assert lead.get(f"/cases/{case.pk}/").status_code == 200
    [entry] = seen()
    assert (entry.kind, entry.action, entry.actor_label, entry.user) == (
        "view",
        "case.viewed",
        "lotte",
        cast.lead.user,
    )
    assert (entry.object_type, entry.object_id) == ("followup.followupcase", str(case.pk))
    assert (entry.organisation, entry.customer_id) == (cast.owner, case.response.customer_id)
    assert entry.before is None and entry.after is None
    # Someone who may not see the case gets a 404 and leaves no entry of a view.
    assert cast.client_for(cast.partner_admin).get(f"/cases/{case.pk}/").status_code == 404
    assert cast.client_for(cast.outsider).get(f"/cases/{case.pk}/").status_code == 404
    assert len(seen()) == 1
    lead.get(f"/cases/{case.pk}/")
    assert len(seen(action="case.viewed")) == 2  # every look counts


def test_asking_why_a_customer_was_asked_is_a_view_of_that_customer(cast, post_interaction):
    post_interaction(interaction_payload("lw-1"))
    admin = cast.client_for(cast.owner_admin)
    assert admin.get("/customers/").status_code == 200  # the empty search shows no one
    assert admin.get("/customers/?key=K-404").status_code == 404
    assert seen() == []
    assert admin.get("/customers/?key=K-1").status_code == 200
    invitation = Invitation.objects.get()
    [entry] = seen()
    assert (entry.action, entry.kind, entry.actor_label, entry.organisation) == (
        "customer.viewed",
        "view",
        "olivia",
        cast.owner,
    )
    assert entry.customer_id == invitation.customer_id and entry.object_repr == "K-1"


def test_reading_a_message_in_the_outbox_is_a_view_of_its_recipient(cast, post_interaction):
    post_interaction(interaction_payload())
    message = OutboxMessage.objects.get(purpose="invitation")
    admin = cast.client_for(cast.owner_admin)
    assert admin.get("/outbox/").status_code == 200
    assert seen() == []  # the list shows addresses and subjects; a message itself is a view
    assert admin.get(f"/outbox/{message.pk}/").status_code == 200
    [entry] = seen()
    assert (entry.action, entry.actor_label, entry.organisation) == (
        "message.viewed",
        "olivia",
        cast.owner,
    )
    assert entry.customer_id == Invitation.objects.get().customer_id
    assert cast.client_for(cast.partner_admin).get(f"/outbox/{message.pk}/").status_code == 404
    assert len(seen()) == 1


def test_a_message_about_a_case_is_a_view_of_the_cases_customer(
    cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = case_for(cast, employee=cast.agent)
    message = OutboxMessage.objects.get(purpose="case_assigned")
    assert cast.client_for(cast.owner_admin).get(f"/outbox/{message.pk}/").status_code == 200
    assert seen()[0].customer_id == case.response.customer_id


def test_exporting_customers_words_writes_an_export_entry(cast):
    make_response(cast, nps=3, employee=cast.agent, comment="Niemand belde terug")
    make_responses(cast, [9, 10, 8, 7, 9], employee=cast.agent)
    lead = cast.client_for(cast.lead.user)
    assert lead.get(f"/units/{cast.team.pk}/").status_code == 200
    assert seen() == []  # the page itself is a dashboard, not an export
    export = lead.get(f"/units/{cast.team.pk}/", {"format": "csv", "table": "verbatims"})
    assert export.status_code == 200 and "Niemand belde terug" in export.content.decode()
    [entry] = seen()
    assert (entry.kind, entry.action, entry.actor_label) == (
        "export",
        "dashboard.exported",
        "lotte",
    )
    assert (entry.object_type, entry.object_id, entry.organisation) == (
        "orgs.unit",
        str(cast.team.pk),
        cast.owner,
    )
    assert entry.detail == "table verbatims as csv"
    lead.get(f"/units/{cast.team.pk}/", {"format": "xlsx", "table": "members"})
    assert seen()[-1].detail == "table members as xlsx"
    # Tables without anyone's words or a named person's scores are not personal data.
    admin = cast.client_for(cast.owner_admin)
    assert (
        admin.get("/organisations/leasewijs/", {"format": "csv", "table": "units"}).status_code
        == 200
    )
    assert len(seen()) == 2
    # An unknown table is a 404 and no export.
    assert (
        lead.get(f"/units/{cast.team.pk}/", {"format": "csv", "table": "nope"}).status_code == 404
    )
    assert len(seen()) == 2


def test_every_table_of_one_employees_page_is_an_export_about_that_employee(cast):
    make_responses(cast, [9, 10, 8, 7, 9], employee=cast.agent)
    lead = cast.client_for(cast.lead.user)
    assert (
        lead.get(f"/employees/{cast.agent.pk}/", {"format": "csv", "table": "scores"}).status_code
        == 200
    )
    [entry] = seen()
    assert (entry.object_type, entry.object_id, entry.organisation) == (
        "orgs.employee",
        str(cast.agent.pk),
        cast.owner,
    )


def test_reading_responses_through_the_api_writes_one_entry_per_request(cast):
    for nps in (2, 9, 10):
        make_response(cast, employee=cast.agent, nps=nps, comment=f"score {nps}")
    client = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {cast.owner_key}"}
    first = client.get("/api/responses", {"limit": 2}, **auth).json()
    assert len(first["items"]) == 2
    key = ApiKey.objects.get(organisation=cast.owner)
    [entry] = seen()
    assert (entry.kind, entry.action, entry.api_key, entry.user) == (
        "export",
        "response.listed",
        key,
        None,
    )
    assert entry.actor_label == f"API key {key.prefix} (crm)" and entry.organisation == cast.owner
    ids = [item["id"] for item in first["items"]]
    assert entry.detail == f"2 responses, ids {ids[0]}-{ids[1]}"
    rest = client.get("/api/responses", {"after_id": first["next_after_id"]}, **auth).json()
    assert len(rest["items"]) == 1 and len(seen()) == 2
    # A page with no answers hands out no personal data: a poller that finds nothing is not logged.
    client.get("/api/responses", {"after_id": rest["items"][0]["id"]}, **auth)
    assert len(seen()) == 2
