"""Every page of a full chain on a 390 px phone in Chromium (the outside check's findings, issue 11):
the document never scrolls sideways (wide tables and charts scroll in their own region), every
scroll region is reachable by keyboard and named, and no id is used twice on a page."""

import pytest

from cxloop.customers.models import Customer
from cxloop.dashboards.tests import scenario
from cxloop.lib.testing.browser import PHONE, browser_page
from cxloop.lib.testing.cases import case_for

PHONE_WIDTH = PHONE["viewport"]["width"]

CHECK = """() => {
  const ids = [...document.querySelectorAll('[id]')].map(e => e.id);
  const regions = [...document.querySelectorAll('.scroll-region')];
  return {
    width: document.documentElement.scrollWidth,
    duplicateIds: ids.filter((id, i) => ids.indexOf(id) !== i),
    badRegions: regions.filter(r => r.getAttribute('tabindex') !== '0'
      || r.getAttribute('role') !== 'region' || !(r.getAttribute('aria-label') || '').trim()).length,
    regions: regions.length,
  };
}"""


def owner_admin_paths(cast, world) -> list[str]:
    journey = world.journey_types["opzeggen"].pk
    customer = Customer.objects.filter(chain=cast.chain).order_by("pk").first()
    case = case_for(cast, employee=cast.agent, nps=1, comment="Drie keer gebeld, geen antwoord")
    process = [
        f"/process/journeys/{cast.journey_type.pk}/{page}/"
        for page in ("map", "variants", "handover", "stuck", "repeats", "nps", "cases")
    ]
    return [
        "/organisations/leasewijs/?days=365",
        "/organisations/leasewijs/analysis/?days=365",
        "/journeys/",
        f"/journeys/{journey}/?days=365",
        f"/journeys/{journey}/analysis/?days=365",
        f"/units/{cast.team.pk}/?days=365",
        f"/units/{cast.team.pk}/analysis/?days=365",
        f"/employees/{cast.agent.pk}/?days=365",
        "/cases/?show=all",
        f"/cases/{case.pk}/",
        "/cases/kpis/",
        "/cases/settings/leasewijs/",
        "/outbox/",
        "/surveys/",
        f"/surveys/{cast.survey.pk}/",
        "/rules/",
        "/contact-policy/",
        "/customers/?q=S",
        f"/customers/?key={customer.key}",
        "/text/leasewijs/",
        "/drivers/leasewijs/",
        "/drivers/leasewijs/employees/",
        "/process/",
        *process,
        "/privacy/leasewijs/",
        "/privacy/leasewijs/audit/",
        f"/privacy/leasewijs/customers/{customer.pk}/",
    ]


@pytest.mark.django_db(transaction=True)
def test_no_page_scrolls_sideways_on_a_phone(cast, live_server, chromium_browser):
    world = scenario.build(cast, count=200)
    visits = [(cast.owner_admin, path) for path in owner_admin_paths(cast, world)]
    visits += [(cast.lead.user, "/cases/"), (cast.agent.user, "/me/?days=365")]
    problems, regions = [], 0
    pages = {}
    for user, path in visits:
        if user not in pages:
            pages[user] = browser_page(chromium_browser, live_server, user, PHONE)
        page = pages[user]
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        # The tables behind charts too.
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        found = page.evaluate(CHECK)
        regions += found["regions"]
        if found["width"] > PHONE_WIDTH or found["duplicateIds"] or found["badRegions"]:
            problems.append((path, found))
    assert problems == []
    assert regions >= 20  # the wide tables and charts are there, in their own regions
