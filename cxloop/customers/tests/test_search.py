"""Finding a customer on the Customers page by e-mail, phone, name or licence plate, within the
details the user's organisation supplied (or may use), and a phone number to call on the case."""

import pytest

from cxloop.audit.models import AuditEntry
from cxloop.conftest import interaction_payload
from cxloop.customers.models import ContactSharing, Customer, CustomerContact
from cxloop.customers.normalise import phone_key, plate_key
from cxloop.lib.testing.cases import case_for
from cxloop.orgs.models import Unit
from cxloop.orgs.services import create_employee, create_unit

pytestmark = pytest.mark.django_db

FENNA = {
    "key": "K-1",
    "email": "fenna@example.nl",
    "phone": "+31 6 1234 5678",
    "name": "Fenna Jansen",
    "licence_plate": "AB-12-CD",
    "language": "nl",
}


def found(client, query: str) -> list[str]:
    response = client.get("/customers/", {"q": query})
    assert response.status_code == 200
    return [row["contact"].customer.key for row in response.context["found"]]


@pytest.mark.parametrize(
    "written", ["06-12345678", "0612345678", "+31 6 1234 5678", "0031612345678", "+31612345678"]
)
def test_a_dutch_mobile_number_has_one_key_however_written(written):
    assert phone_key(written) == "+31612345678"


def test_plates_and_short_numbers():
    assert plate_key("ab-12-cd") == plate_key("AB 12 CD") == "AB12CD"
    assert phone_key("112") == ""
    assert phone_key("+44 20 7946 0958") == "+442079460958"


@pytest.fixture
def fenna(cast, post_interaction):
    """Fenna called Anouk (Leasewijs, Team Noord); Leasewijs supplied her details through the API."""
    response = post_interaction(interaction_payload("lw-1", customer=FENNA))
    assert response.status_code == 201, response.content
    return Customer.objects.get(key="K-1")


@pytest.mark.parametrize(
    "query",
    [
        "fenna@example.nl",
        "FENNA@example.nl",
        "06-12345678",
        "0612345678",
        "ab-12-cd",
        "ab12cd",
        "jansen",
        "K-1",
    ],
)
def test_an_admin_finds_the_customer_by_email_phone_name_plate_or_key(cast, fenna, query):
    assert found(cast.client_for(cast.owner_admin), query) == ["K-1"]


def test_the_page_shows_the_details_a_phone_link_and_the_open_cases(cast, fenna):
    case = case_for(cast, employee=cast.agent, nps=2)
    from cxloop.responses.models import Response

    Response.objects.filter(pk=case.response_id).update(customer=fenna)
    html = cast.client_for(cast.lead.user).get("/customers/", {"q": "06 12345678"}).content.decode()
    assert "Fenna Jansen" in html and "AB-12-CD" in html
    assert 'href="tel:+31612345678"' in html
    assert f'href="/cases/{case.pk}/"' in html
    # A wide table scrolls in its own region, reachable by keyboard.
    assert 'class="scroll-region" tabindex="0" role="region"' in html


def test_nothing_is_found_by_a_partial_number_or_an_other_plate(cast, fenna):
    olivia = cast.client_for(cast.owner_admin)
    assert found(olivia, "12345678") == []
    assert found(olivia, "AB-12-CE") == []
    assert found(olivia, "fenna@example.com") == []


def test_each_search_of_a_customer_shown_is_in_the_audit_log_without_the_words(cast, fenna):
    cast.client_for(cast.owner_admin).get("/customers/", {"q": "jansen"})
    [entry] = AuditEntry.objects.filter(action="customer.found")
    assert (entry.kind, entry.organisation, entry.customer_id) == ("view", cast.owner, fenna.pk)
    assert "jansen" not in (entry.detail + str(entry.after)).lower()
    cast.client_for(cast.owner_admin).get("/customers/", {"q": "niemand"})
    assert AuditEntry.objects.filter(action="customer.found").count() == 1


def test_a_partner_finds_only_what_it_supplied_unless_the_chain_shares_the_owners(
    cast, fenna, post_interaction
):
    paula = cast.client_for(cast.partner_admin)
    assert found(paula, "jansen") == []
    # Belcentrum had a call with Fenna in Leasewijs's journey, with a number of its own.
    call = interaction_payload(
        "bel-1", employee="P1", customer={"key": "K-1", "phone": "020-1234567"}
    )
    assert post_interaction(call, key=cast.partner_key).status_code == 201
    assert found(paula, "020 123 4567") == ["K-1"]
    assert found(paula, "jansen") == []
    ContactSharing.objects.create(chain=cast.chain, partners_use_owner_details=True)
    assert found(paula, "jansen") == ["K-1"]
    # The owner never finds a customer by the partner's details.
    assert found(cast.client_for(cast.owner_admin), "0201234567") == []


def test_a_team_lead_finds_the_customers_her_team_had_contact_with(cast, fenna, post_interaction):
    south = create_unit(
        organisation=cast.owner,
        name="Team Zuid",
        slug="team-zuid",
        parent=cast.department,
        kind=Unit.Kind.TEAM,
    )
    create_employee(organisation=cast.owner, unit=south, code="Z1", name="Zoë Zuid")
    other = {
        **FENNA,
        "key": "K-2",
        "name": "Gijs Jansen",
        "email": "gijs@example.nl",
        "phone": "",
        "licence_plate": "",
    }
    assert (
        post_interaction(
            interaction_payload("lw-2", employee="Z1", journey_id="claim-9", customer=other)
        ).status_code
        == 201
    )
    lotte = cast.client_for(cast.lead.user)
    assert found(lotte, "jansen") == ["K-1"]
    assert found(cast.client_for(cast.owner_admin), "jansen") == ["K-1", "K-2"]
    # The contact history by key stays with the organisation's readers.
    assert lotte.get("/customers/", {"key": "K-1"}).status_code == 404


def test_employees_and_outsiders_find_no_one(cast, fenna):
    assert cast.client_for(cast.agent.user).get("/customers/", {"q": "jansen"}).status_code == 404
    assert found(cast.client_for(cast.outsider), "jansen") == []
    assert found(cast.client_for(cast.outsider), "K-1") == []


def test_bad_input_is_no_error(cast, fenna):
    olivia = cast.client_for(cast.owner_admin)
    for query in ["\x00", "%", "_", "'; drop table", "x" * 1000, "+", "--"]:
        assert olivia.get("/customers/", {"q": query}).status_code == 200


def test_contact_details_from_the_api_keep_their_search_keys_up_to_date(
    cast, fenna, post_interaction
):
    changed = {**FENNA, "phone": "06-87654321", "licence_plate": "9-XYZ-99"}
    assert post_interaction(interaction_payload("lw-3", customer=changed)).status_code == 201
    contact = CustomerContact.objects.get(customer=fenna, organisation=cast.owner)
    assert (contact.phone_key, contact.plate_key) == ("+31687654321", "9XYZ99")
    olivia = cast.client_for(cast.owner_admin)
    assert found(olivia, "+31687654321") == ["K-1"] and found(olivia, "06-12345678") == []


# --- a number to call on the case page -------------------------------------------------------------


def test_the_case_page_offers_the_handling_organisations_number_to_call(cast, fenna):
    case = case_for(cast, employee=cast.agent, nps=2)
    from cxloop.responses.models import Response

    Response.objects.filter(pk=case.response_id).update(customer=fenna)
    html = cast.client_for(cast.lead.user).get(f"/cases/{case.pk}/").content.decode()
    assert '<a href="tel:+31612345678" class="call" id="call">' in html
    assert "+31 6 1234 5678" in html


def test_a_partners_case_read_by_the_owner_shows_no_number(cast, post_interaction):
    call = interaction_payload(
        "bel-1", employee="P1", customer={"key": "K-7", "phone": "0201234567"}
    )
    assert post_interaction(call, key=cast.partner_key).status_code == 201
    case = case_for(cast, employee=cast.partner_agent, nps=2)
    from cxloop.responses.models import Response

    Response.objects.filter(pk=case.response_id).update(customer=Customer.objects.get(key="K-7"))
    from django.contrib.auth import get_user_model

    from cxloop.orgs.models import Role
    from cxloop.orgs.services import grant_role

    owner = get_user_model().objects.create_user(username="jolanda")
    grant_role(user=owner, organisation=cast.owner, role=Role.JOURNEY_OWNER)
    html = cast.client_for(owner).get(f"/cases/{case.pk}/").content.decode()
    assert 'id="read-only"' in html and "tel:" not in html
    partner_page = cast.client_for(cast.partner_admin).get(f"/cases/{case.pk}/").content.decode()
    assert 'href="tel:+31201234567"' in partner_page


def test_the_search_reads_in_a_fixed_number_of_queries_plus_one_audit_row_per_customer(
    cast, fenna, post_interaction
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    olivia = cast.client_for(cast.owner_admin)

    def queries_for(query: str) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            shown = len(olivia.get("/customers/", {"q": query}).context["found"])
        return len(captured), shown

    one, shown = queries_for("jansen")
    assert shown == 1
    for number in range(2, 6):
        namesake = {**FENNA, "key": f"K-{number}", "email": f"k{number}@example.nl"}
        call = interaction_payload(f"lw-{number}", journey_id=f"claim-{number}", customer=namesake)
        assert post_interaction(call).status_code == 201
    five, shown = queries_for("jansen")
    assert shown == 5
    assert five - one == 4  # one audit row per customer shown, nothing else per row
