"""The dashboards as a person sees them, in Chromium: charts drawn, labelled and readable, on a
desktop and on a phone, with screenshots to look at (kept under CXLOOP_SCREENSHOTS if set)."""

import os
import re
from pathlib import Path

import pytest

from cxloop.dashboards.tests import scenario
from cxloop.lib.testing.browser import PHONE, browser_page, contrast

DESKTOP = {"viewport": {"width": 1280, "height": 900}}


def shots_dir(tmp_path: Path) -> Path:
    path = Path(os.environ.get("CXLOOP_SCREENSHOTS", tmp_path))
    path.mkdir(parents=True, exist_ok=True)
    return path


def check_charts(page) -> int:
    charts = page.locator("svg.chart")
    for index in range(charts.count()):
        chart = charts.nth(index)
        chart.scroll_into_view_if_needed()
        box = chart.bounding_box()
        assert box and box["width"] > 200 and box["height"] > 100
        assert chart.get_attribute("role") == "img"
        assert chart.locator(":scope > title").text_content().strip()
        assert chart.locator(":scope > desc").text_content().strip()
        # Axis and legend text is at least 10 px on screen.
        sizes = chart.evaluate(
            "svg => [...svg.querySelectorAll('text')].map(t => t.getBoundingClientRect().height)"
        )
        assert min(sizes) >= 9, sizes
    return charts.count()


@pytest.mark.django_db(transaction=True)
def test_dashboards_render_readable_charts_in_chromium(
    cast, live_server, chromium_browser, tmp_path
):
    world = scenario.build(cast, count=260)
    shots = shots_dir(tmp_path)
    page = browser_page(chromium_browser, live_server, cast.owner_admin, DESKTOP)
    for name, path in (
        ("organisation", "/organisations/leasewijs/?days=365"),
        ("analysis", "/organisations/leasewijs/analysis/?days=365"),
        ("journey", f"/journeys/{world.journey_types['opzeggen'].pk}/?days=365"),
        ("team", f"/units/{cast.team.pk}/?days=365"),
    ):
        page.goto(live_server.url + path)
        assert check_charts(page) >= 1, name
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280, name
        page.screenshot(path=str(shots / f"dashboard-{name}.png"), full_page=True)
        assert (shots / f"dashboard-{name}.png").stat().st_size > 20_000
    # Greyed (imprecise) scores stay readable.
    page.goto(live_server.url + f"/units/{cast.team.pk}/?days=30")
    greyed = page.locator(".score.imprecise strong")
    if greyed.count():
        colours = greyed.first.evaluate(
            "el => [getComputedStyle(el).color, getComputedStyle(document.body).backgroundColor]"
        )
        assert contrast(*colours) >= 4.5
    # The table behind a chart is one click away, for those who do not read charts.
    page.goto(live_server.url + "/organisations/leasewijs/?days=365")
    page.get_by_text("The numbers as a table").first.click()
    assert page.locator("#table-trend table").is_visible()

    own = browser_page(chromium_browser, live_server, cast.agent.user, PHONE)
    own.goto(live_server.url + "/me/?days=365")
    assert own.locator("h1").text_content().strip()
    assert check_charts(own) >= 1
    assert own.evaluate("document.documentElement.scrollWidth") <= 390  # charts shrink to the phone
    own.screenshot(path=str(shots / "dashboard-me-phone.png"), full_page=True)
    assert re.search(r"n = \d+", own.content())


@pytest.mark.django_db(transaction=True)
def test_on_a_phone_wide_tables_and_charts_scroll_in_their_own_keyboard_regions(
    cast, live_server, chromium_browser, tmp_path
):
    scenario.build(cast, count=120)
    page = browser_page(chromium_browser, live_server, cast.owner_admin, PHONE)
    page.goto(live_server.url + "/organisations/leasewijs/?days=365")
    # Open every "numbers as a table", so the wide tables are laid out too.
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    regions = page.locator('.scroll-region[role="region"]')
    assert regions.count() >= 2
    wide = 0
    for index in range(regions.count()):
        region = regions.nth(index)
        assert region.get_attribute("tabindex") == "0"
        assert region.get_attribute("aria-label").strip()
        wide += region.evaluate("el => el.scrollWidth > el.clientWidth")
    assert wide >= 1  # at least one chart or table is wider than the phone and scrolls in place
    page.screenshot(
        path=str(shots_dir(tmp_path) / "dashboard-organisation-phone.png"), full_page=True
    )
