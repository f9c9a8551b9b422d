"""The dashboards' pages as pages: coaching notes, the state in the URL, exports, navigation."""

import csv
import io

import pytest
from openpyxl import load_workbook

from cxloop.coaching.services import write_note
from cxloop.lib.testing.responses import make_response, make_responses

pytestmark = pytest.mark.django_db


def test_coaching_notes_are_read_by_the_employee_and_written_by_the_lead(cast):
    write_note(author=cast.lead.user, employee=cast.agent, text="Mooi hoe je doorvroeg!")
    own = cast.client_for(cast.agent.user).get("/me/")
    assert "Mooi hoe je doorvroeg!" in own.content.decode()
    assert 'action="/employees/' not in own.content.decode()  # no form to coach oneself
    lead = cast.client_for(cast.lead.user).get(f"/employees/{cast.agent.pk}/")
    assert "Mooi hoe je doorvroeg!" in lead.content.decode() and lead.context["coaches"]
    assert f'action="/employees/{cast.agent.pk}/coaching/"' in lead.content.decode()
    colleague = cast.client_for(cast.colleague.user).get(f"/employees/{cast.agent.pk}/")
    assert colleague.status_code == 404
    analyst_page = cast.client_for(cast.owner_admin).get(f"/employees/{cast.agent.pk}/")
    assert analyst_page.context[
        "coaches"
    ]  # the organisation's admin may coach too (coaching.services)


def test_links_keep_the_filters_so_a_view_can_be_shared(cast):
    make_responses(cast, [9, 9, 9, 9, 9], employee=cast.agent, segment="zakelijk")
    url = f"/units/{cast.team.pk}/?days=30&channel={cast.phone.pk}&segment=zakelijk&grain=month"
    page = cast.client_for(cast.lead.user).get(url)
    content = page.content.decode()
    query = f"days=30&amp;grain=month&amp;channel={cast.phone.pk}&amp;segment=zakelijk"
    assert f'href="/employees/{cast.agent.pk}/?{query}"' in content
    assert f"?{query}&amp;format=csv&amp;table=members" in content
    assert page.context["state"].filters.segment == "zakelijk"


def test_exports_of_a_page(cast):
    make_response(cast, nps=9, employee=cast.agent, comment="=SUM(A1:A9)")
    make_responses(cast, [9, 10, 3, 7, 8], employee=cast.agent)
    client = cast.client_for(cast.lead.user)
    response = client.get(f"/units/{cast.team.pk}/", {"format": "csv", "table": "verbatims"})
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="team-noord-verbatims-')
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    # A lead reads the team's answers as text: date, text, channel, journey type (no score, no name).
    assert rows[0][1] == "What the customer wrote" and len(rows[0]) == 4
    assert rows[1][1] == "'=SUM(A1:A9)"
    own = cast.client_for(cast.agent.user).get(
        "/me/", {"format": "csv", "table": "verbatims"}
    )  # the employee's own, with scores
    own_rows = list(csv.reader(io.StringIO(own.content.decode())))
    assert own_rows[0][1] == "NPS" and own_rows[1][2] == "'=SUM(A1:A9)"
    xlsx = client.get(f"/units/{cast.team.pk}/", {"format": "xlsx", "table": "members"})
    book = load_workbook(io.BytesIO(xlsx.content))
    values = [[c.value for c in row] for row in book.active.iter_rows()]
    assert values[1][0] == "Anouk Agent" and values[1][3] == 6
    assert (
        client.get(f"/units/{cast.team.pk}/", {"format": "csv", "table": "nope"}).status_code == 404
    )
    assert client.get(f"/units/{cast.team.pk}/", {"format": "pdf", "table": "members"})[
        "Content-Type"
    ].startswith("text/html")


def test_the_chain_page_for_users_without_journeys(cast):
    response = cast.client_for(cast.agent.user).get("/journeys/")
    assert (
        response.status_code == 200 and "No journeys shared with you" in response.content.decode()
    )


def test_the_navigation_links_to_the_journeys_for_organisation_readers(cast):
    assert (
        'href="/journeys/"'
        in cast.client_for(cast.owner_admin).get("/organisations/leasewijs/").content.decode()
    )
    assert 'href="/journeys/"' not in cast.client_for(cast.agent.user).get("/me/").content.decode()
