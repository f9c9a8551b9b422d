"""The pages as a person sees them in Chromium: the map is drawn, the matrix and lists are readable.

Set CXLOOP_SCREENSHOTS=/some/dir to keep the screenshots for a look.
"""

import io
import os
from pathlib import Path

import pytest
from django.core.management import call_command

from cxloop.process.models import EventLog

pytestmark = pytest.mark.django_db(transaction=True)
SEPSIS = [
    "--sep",
    ";",
    "--case",
    "Case ID",
    "--activity",
    "Activity",
    "--timestamp",
    "Complete Timestamp",
    "--timestamp-format",
    "%Y/%m/%d %H:%M:%S.%f",
    "--resource",
    "org:group",
]


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


def logged_in_page(browser, live_server, client):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context.new_page()


def shoot(page, name: str, tmp_path: Path) -> None:
    folder = Path(os.environ.get("CXLOOP_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"process-{name}.png"), full_page=True)
    if page.locator("svg.process-map").count():
        page.locator("svg.process-map").screenshot(path=str(folder / f"process-{name}-svg.png"))


def test_an_imported_log_as_map_variants_and_hand_over_matrix(
    cast, eventlogs, live_server, chromium_browser, tmp_path
):
    call_command(
        "journeys",
        "import",
        str(eventlogs / "sepsis.csv"),
        "--organisation",
        "leasewijs",
        *SEPSIS,
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    log = EventLog.objects.get()
    page = logged_in_page(chromium_browser, live_server, cast.client_for(cast.owner_admin))
    base = f"{live_server.url}/process/logs/{log.pk}"

    page.goto(f"{base}/map/?top=25&metric=mean")
    svg = page.locator("svg.process-map")
    assert svg.is_visible()
    assert svg.locator("g.node").count() >= 10
    box = svg.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 300
    shoot(page, "map", tmp_path)
    assert svg.locator("g.node text", has_text="ER Registration").is_visible()

    page.goto(f"{base}/variants/")
    assert page.locator("table.data tbody tr").count() >= 100
    shoot(page, "variants", tmp_path)

    page.goto(f"{base}/handover/?top=12")
    assert page.locator("table.matrix tbody tr").count() == 12
    shoot(page, "handover", tmp_path)

    page.locator("table.matrix td a").first.click()
    assert "cases where work passes from" in page.content()


def test_journey_pages_for_the_owner(claims, live_server, chromium_browser, tmp_path):
    page = logged_in_page(chromium_browser, live_server, claims.client_for(claims.owner_admin))
    base = f"{live_server.url}/process/journeys/{claims.journey_type.pk}"
    page.goto(f"{base}/map/")
    assert page.locator("svg.process-map g.node").count() == 4  # start, end and two activities
    shoot(page, "journey-map", tmp_path)
    page.goto(f"{base}/nps/")
    assert page.locator("h2").count() == 3
    shoot(page, "journey-nps", tmp_path)
    page.goto(f"{base}/stuck/?days=7")
    shoot(page, "journey-stuck", tmp_path)
    assert page.locator("text=claim-1").is_visible()
