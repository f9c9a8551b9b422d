"""A team lead works a case from the inbox to closed in Chromium, on a desktop screen, without JavaScript of ours."""

import re
from datetime import timedelta

import pytest

from cxloop.conftest import PASSWORD
from cxloop.customers.models import Customer
from cxloop.followup.models import CaseEvent, FollowUpCase
from cxloop.journeys.models import Interaction
from cxloop.lib.testing.cases import case_for
from cxloop.messaging.models import OutboxMessage

DESKTOP = {"viewport": {"width": 1280, "height": 900}}


def step(page, action: str) -> None:
    """Press a step's button and wait for the case page to come back."""
    with page.expect_navigation():
        page.click(f'button[name="step"][value="{action}"]')


@pytest.mark.django_db(transaction=True)
def test_a_lead_works_a_case_from_the_inbox_to_closed(
    cast, live_server, chromium_browser, tmp_path
):
    case = case_for(
        cast, employee=cast.agent, nps=2, comment="Drie keer gebeld, niemand belde terug"
    )
    Customer.objects.filter(pk=case.response.customer_id).update(
        email="klant@example.nl", phone="+31612345678"
    )
    Interaction.objects.create(
        organisation=cast.partner,
        external_id="bel-1",
        journey=case.response.journey,
        customer=case.response.customer,
        occurred_at=case.response.interaction.occurred_at - timedelta(hours=1),
        channel=cast.phone,
        touchpoint=cast.touchpoint,
        unit=cast.partner_agent.unit,
        employee=cast.partner_agent,
    )
    page = chromium_browser.new_page(**DESKTOP)

    # Lotte logs in through the form and opens her inbox.
    page.goto(f"{live_server.url}/login/")
    page.fill('input[name="username"]', "lotte")
    page.fill('input[name="password"]', PASSWORD)
    with page.expect_navigation():
        page.click("button.primary")
    # cxloop speaks Dutch by default; Lotte switches to English with the button in the header.
    with page.expect_navigation():
        page.click('button[name="language"][value="en"]')
    page.goto(f"{live_server.url}/cases/")
    row = page.locator("table.data tbody tr", has=page.locator(f'a[href="/cases/{case.pk}/"]'))
    assert row.count() == 1
    page.screenshot(path=str(tmp_path / "inbox.png"), full_page=True)
    with page.expect_navigation():
        row.locator(f'a[href="/cases/{case.pk}/"]').first.click()
    assert page.url.endswith(f"/cases/{case.pk}/")
    journey = page.locator("#journey").inner_text()
    assert "Belcentrum" in journey and "Anouk Agent" in journey and "Pim Partner" not in journey

    # A call without an answer, then one that reaches the customer.
    page.select_option("#contact_channel", "phone")
    page.check('input[name="reached"][value="no"]')
    page.fill("#contact_note", "Voicemail")
    step(page, "contact")
    page.select_option("#contact_channel", "phone")
    page.check('input[name="reached"][value="yes"]')
    page.fill("#contact_note", "Excuses gemaakt, oorzaak gevonden")
    step(page, "contact")
    page.screenshot(path=str(tmp_path / "case-open.png"), full_page=True)

    # Resolve with a root cause and the action taken.
    page.select_option("#resolve_root_cause", str(cast.root_cause.pk))
    page.fill("#resolve_action_taken", "Terugbelverzoeken gaan nu direct naar het team")
    step(page, "resolve")

    # The message back to the customer is prefilled with the action; send it.
    body = page.input_value("#inform_body")
    assert "Terugbelverzoeken gaan nu direct naar het team" in body
    step(page, "inform")
    message = OutboxMessage.objects.get(purpose="customer_informed")
    assert (message.recipient, message.subject_id) == ("klant@example.nl", case.pk)
    assert "Terugbelverzoeken" in message.body_text

    step(page, "close")
    case.refresh_from_db()
    assert case.status == FollowUpCase.Status.CLOSED and case.closed_reason == "resolved"

    # The timeline shows every step, in order.
    kinds = page.locator("#timeline li").evaluate_all("items => items.map(li => li.dataset.kind)")
    assert kinds == [
        CaseEvent.Kind.OPENED,
        CaseEvent.Kind.ASSIGNED,
        CaseEvent.Kind.CONTACT_ATTEMPT,
        CaseEvent.Kind.CONTACT_ATTEMPT,
        CaseEvent.Kind.RESOLVED,
        CaseEvent.Kind.CUSTOMER_INFORMED,
        CaseEvent.Kind.CLOSED,
    ]
    timeline = page.locator("#timeline").inner_text()
    assert (
        "Voicemail" in timeline
        and "Excuses gemaakt" in timeline
        and cast.root_cause.name in timeline
    )
    # People by their name, not their username (Lotte reads English: "phone", not "telefoon").
    assert "Lotte de Lead" in timeline and not re.search(r"\blotte\b", timeline)
    assert "· phone ·" in timeline
    # Every step said what it did.
    assert page.locator('[role="status"]').inner_text().strip() == "Case closed."
    # Nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    page.screenshot(path=str(tmp_path / "case-closed.png"), full_page=True)

    # Her team's KPIs count the case as closed in the loop, contacted and informed.
    page.goto(f"{live_server.url}/cases/kpis/?scope=unit-{cast.team.pk}")
    assert "1 of 1" in page.locator("#closed-loop").inner_text()
    assert "1 of 1" in page.locator("#informed").inner_text()
    assert cast.root_cause.name in page.locator("#pareto").inner_text()
    page.screenshot(path=str(tmp_path / "kpis.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_on_a_phone_the_case_list_scrolls_in_its_own_region_not_the_page(
    cast, live_server, chromium_browser, tmp_path
):
    from cxloop.lib.testing.browser import PHONE, browser_page

    first = case_for(cast, employee=cast.agent, nps=1, comment="Niemand belde terug na drie weken")
    case_for(cast, employee=cast.colleague, nps=3, comment="Lange wachttijd")
    page = browser_page(chromium_browser, live_server, cast.lead.user, PHONE)
    page.goto(f"{live_server.url}/cases/")
    # The document does not scroll sideways at 390 px; the table does, inside its region.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    region = page.locator('div.scroll-region[role="region"]')
    assert region.get_attribute("aria-label")
    assert region.evaluate("el => el.scrollWidth > el.clientWidth")
    # A keyboard reaches the region and scrolls it with the arrow keys.
    region.focus()
    assert region.evaluate("el => document.activeElement === el")
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "() => document.querySelector('div.scroll-region').scrollLeft > 0", timeout=2000
    )
    page.screenshot(path=str(tmp_path / "inbox-phone.png"), full_page=True)
    # The case page, with its forms, fits the phone too; the radio group has its legend.
    page.goto(f"{live_server.url}/cases/{first.pk}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.locator("fieldset:has(input[name=reached]) > legend").inner_text().strip()
