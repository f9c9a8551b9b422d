"""An employee sees on /me/ that the low scores about their contacts were followed up, and how;
not the customer, not who handled it, not the case's notes; and nobody else sees that table."""

import pytest

from cxloop.followup import services
from cxloop.lib.testing.cases import case_for

pytestmark = pytest.mark.django_db


def test_the_employee_sees_how_a_low_score_about_them_was_followed_up(cast):
    case = case_for(cast, employee=cast.agent, nps=2, comment="Niemand belde terug")
    lead = cast.lead.user
    services.add_note(case=case, actor=lead, note="Geheime notitie over de klant")
    services.log_contact_attempt(case=case, actor=lead, channel="phone", reached=True)
    services.resolve_case(
        case=case, actor=lead, root_cause=cast.root_cause, action_taken="Terugbelbelofte nagekomen"
    )
    anouk = cast.client_for(cast.agent.user)  # (the dashboard tests read English: conftest.py)
    page = anouk.get("/me/?days=30")
    table = page.context["page"].tables["followups"]
    [row] = table.rows
    assert row[1] == 2 and row[2] == "resolved"
    assert row[3] == "Wachttijd telefoon: Terugbelbelofte nagekomen"
    html = page.content.decode()
    assert "How low scores about you were followed up" in html
    assert "Terugbelbelofte nagekomen" in html
    # Not the customer, not the case's notes, not who handled it.
    assert case.response.customer.key not in html
    assert "Geheime notitie" not in html
    assert "Lotte de Lead" not in html

    services.close_case(case=case, actor=lead)
    [row] = anouk.get("/me/?days=30").context["page"].tables["followups"].rows
    assert row[2] == "closed"


def test_an_unreachable_customer_is_said_so(cast):
    case = case_for(cast, employee=cast.agent, nps=1)
    for _ in range(3):
        services.log_contact_attempt(
            case=case, actor=cast.lead.user, channel="phone", reached=False
        )
    [row] = (
        cast.client_for(cast.agent.user)
        .get("/me/?days=30")
        .context["page"]
        .tables["followups"]
        .rows
    )
    assert (row[2], row[3]) == ("closed", "The customer could not be reached.")


def test_only_the_employee_sees_the_follow_up_of_their_own_scores(cast):
    case_for(cast, employee=cast.agent, nps=2)
    # Bram's own page holds no case about Anouk's contact.
    assert (
        cast.client_for(cast.colleague.user).get("/me/").context["page"].tables["followups"].rows
        == []
    )
    # Her lead reads Anouk's page per period, without this table (the case is in the inbox).
    lead_view = cast.client_for(cast.lead.user).get(f"/employees/{cast.agent.pk}/")
    assert lead_view.status_code == 200
    assert "followups" not in lead_view.context["page"].tables


def test_without_cases_the_table_says_so_in_dutch(cast):
    anouk = cast.client_for(cast.agent.user)
    anouk.cookies["django_language"] = "nl"  # (the dashboard tests read English by default)
    html = anouk.get("/me/").content.decode()
    assert "Geen lage scores over jou opgevolgd in deze periode." in html
