"""A team lead's working day on the follow-up pages (issue 11): the case list shows and sorts what
matters, every step on the case page confirms what it did, the timeline names people, and the
pages pass the outside accessibility check's points (unique ids, a fieldset for the radio group)."""

from collections import Counter
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model

from cxloop.followup import services
from cxloop.followup.models import FollowUpCase
from cxloop.lib.testing.cases import case_for

pytestmark = pytest.mark.django_db


class Page(HTMLParser):
    """The ids, the fieldsets (with their legends and inputs) and the status messages of a page."""

    def __init__(self, html: str):
        super().__init__()
        self.ids: list[str] = []
        self.fieldsets: list[dict] = []
        self.status: list[str] = []
        self._fieldset: dict | None = None
        self._in_legend = False
        self._in_status = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "fieldset":
            self._fieldset = {"legend": "", "inputs": []}
            self.fieldsets.append(self._fieldset)
        elif tag == "legend":
            self._in_legend = True
        elif tag == "input" and self._fieldset is not None:
            self._fieldset["inputs"].append(attrs.get("name"))
        elif attrs.get("role") == "status":
            self._in_status = True

    def handle_endtag(self, tag):
        if tag == "fieldset":
            self._fieldset = None
        elif tag == "legend":
            self._in_legend = False
        elif tag == "ul":
            self._in_status = False

    def handle_data(self, data):
        if self._in_legend and self._fieldset is not None:
            self._fieldset["legend"] += data
        if self._in_status and data.strip():
            self.status.append(data.strip())


def english(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def two_cases(cast):
    first = case_for(
        cast,
        employee=cast.agent,
        nps=1,
        comment="Zes weken gewacht op mijn nieuwe lease-auto, niemand liet iets weten en de dealer wist van niets",
    )
    second = case_for(cast, employee=cast.colleague, nps=3, comment="Kort")
    return first, second


# --- the case list ------------------------------------------------------------------------------


def test_the_case_list_shows_customer_comment_age_and_due_time(cast, two_cases):
    first, _ = two_cases
    page = english(cast.client_for(cast.lead.user)).get("/cases/")
    html = page.content.decode()
    assert first.response.customer.key in html
    # A snippet of the comment, not the whole of it.
    assert "Zes weken gewacht op mijn nieuwe lease-auto" in html
    assert "de dealer wist van niets" not in html
    assert '<td class="age"><time datetime="' in html
    assert "resolve by" in html


def test_the_case_list_sorts_on_its_column_headers_keeping_the_filters(cast, two_cases):
    lotte = english(cast.client_for(cast.lead.user))
    default = lotte.get("/cases/", {"show": "team", "priority": "normal"})
    assert default.context["columns"]["due"]["aria_sort"] == "ascending"  # most urgent first
    customer_link = default.context["columns"]["customer"]["query"]
    assert "show=team" in customer_link and "priority=normal" in customer_link
    assert "sort=customer" in customer_link

    keys = lambda response: [c.response.customer.key for c in response.context["cases"]]  # noqa: E731
    by_customer = lotte.get("/cases/?" + customer_link)
    assert keys(by_customer) == sorted(keys(by_customer)) and len(keys(by_customer)) == 2
    assert 'aria-sort="ascending"' in by_customer.content.decode()
    # The sorted column's header now reverses it.
    reverse_link = by_customer.context["columns"]["customer"]["query"]
    assert "sort=-customer" in reverse_link
    reversed_page = lotte.get("/cases/?" + reverse_link)
    assert keys(reversed_page) == sorted(keys(reversed_page), reverse=True)
    assert 'aria-sort="descending"' in reversed_page.content.decode()

    def due(response):
        return [c.next_due for c in response.context["cases"]]

    assert due(lotte.get("/cases/?sort=-due&show=team")) == sorted(due(default), reverse=True)
    oldest = [c.pk for c in lotte.get("/cases/?sort=-opened&show=team").context["cases"]]
    assert oldest == sorted(oldest)
    # An unknown sort is ignored, not an error.
    assert lotte.get("/cases/?sort=;drop").status_code == 200


def test_the_case_list_has_unique_ids_with_both_assignee_selects(cast, two_cases):
    html = cast.client_for(cast.lead.user).get("/cases/").content.decode()
    ids = Page(html).ids
    assert [i for i, n in Counter(ids).items() if n > 1] == []
    assert "id_assignee" in ids and "bulk_assignee" in ids
    assert 'for="bulk_assignee"' in html


def test_the_wide_case_table_scrolls_in_its_own_keyboard_reachable_region(cast, two_cases):
    html = cast.client_for(cast.lead.user).get("/cases/").content.decode()
    assert '<div class="scroll-region" tabindex="0" role="region" aria-label="' in html


# --- the case page ------------------------------------------------------------------------------


def test_the_reached_radio_group_is_a_fieldset_with_a_legend(cast, two_cases):
    first, _ = two_cases
    page = Page(cast.client_for(cast.lead.user).get(f"/cases/{first.pk}/").content.decode())
    reached = [f for f in page.fieldsets if "reached" in f["inputs"]]
    assert len(reached) == 1
    assert reached[0]["legend"].strip() == "Klant bereikt?"
    assert reached[0]["inputs"] == ["reached", "reached"]


def test_every_step_confirms_what_it_did(cast, two_cases):
    first, _ = two_cases
    lotte = english(cast.client_for(cast.lead.user))
    url = f"/cases/{first.pk}"

    def said(path: str, data: dict) -> list[str]:
        response = lotte.post(f"{url}/{path}/", data, follow=True)
        assert response.status_code == 200
        return Page(response.content.decode()).status

    assert said("start", {}) == ["You are working on this case."]
    assert said("contact", {"channel": "phone", "reached": "no"}) == [
        "Contact attempt saved: the customer was not reached."
    ]
    assert said("contact", {"channel": "phone", "reached": "yes"}) == [
        "Contact attempt saved: the customer was reached."
    ]
    assert said("note", {"note": "Belt morgen terug"}) == ["Note added."]
    assert said("reassign", {"assignee": cast.colleague.pk}) == ["Case reassigned to Bram Collega."]
    assert said("resolve", {"root_cause": cast.root_cause.pk, "action_taken": "Dealer gebeld"}) == [
        "Case resolved. Now tell the customer what was done."
    ]
    assert said("close", {}) == ["Case closed."]
    assert said("reopen", {"note": "Klant belde opnieuw"}) == ["Case reopened."]
    # Nothing is confirmed when the step did not happen.
    response = lotte.post(f"{url}/contact/", {"channel": "phone"})
    assert response.status_code == 422 and Page(response.content.decode()).status == []


def test_the_confirmation_is_in_dutch_by_default(cast, two_cases):
    first, _ = two_cases
    response = cast.client_for(cast.lead.user).post(
        f"/cases/{first.pk}/note/", {"note": "x"}, follow=True
    )
    assert Page(response.content.decode()).status == ["Notitie toegevoegd."]


def test_the_timeline_names_people_not_usernames(cast, two_cases):
    first, _ = two_cases
    # Lotte's account has no name of its own: the timeline uses her name as an employee.
    services.add_note(case=first, actor=cast.lead.user, note="Gebeld")
    # Olivia's account has a full name.
    olivia = cast.owner_admin
    olivia.first_name, olivia.last_name = "Olivia", "van Dam"
    olivia.save()
    services.add_note(case=first, actor=olivia, note="Meegekeken")
    # Without any name, the username is what is left.
    nameless = get_user_model().objects.create_user(username="beheer-7")
    services.add_note(case=first, actor=nameless, note="Automatisch")
    html = cast.client_for(cast.lead.user).get(f"/cases/{first.pk}/").content.decode()
    actors = [chunk.split("</span>")[0] for chunk in html.split('<span class="actor">')[1:]]
    assert actors == ["Lotte de Lead", "Olivia van Dam", "beheer-7"]


def test_the_journey_owner_reading_a_partners_case_sees_no_names_of_its_staff(cast):
    case = case_for(cast, employee=cast.partner_agent, nps=2)
    services.add_note(case=case, actor=cast.partner_admin, note="Gebeld")
    owner = get_user_model().objects.create_user(username="jolanda")
    from cxloop.orgs.models import Role
    from cxloop.orgs.services import grant_role

    grant_role(user=owner, organisation=cast.owner, role=Role.JOURNEY_OWNER)
    html = cast.client_for(owner).get(f"/cases/{case.pk}/").content.decode()
    assert 'id="read-only"' in html
    assert "paula" not in html.split('id="timeline"')[1]
    assert FollowUpCase.objects.get(pk=case.pk).organisation == cast.partner
