"""The main menu: every page a role may use, grouped; nothing a role cannot use (issue 11)."""

import re

import pytest

pytestmark = pytest.mark.django_db


def _menu(cast, user) -> str:
    page = cast.client_for(user).get("/cases/")
    return re.search(
        r'<nav aria-label="[^"]*" class="menu">.*?</nav>', page.content.decode(), re.S
    ).group(0)


def test_an_admins_many_pages_sit_in_two_groups(cast):
    menu = _menu(cast, cast.owner_admin)
    groups = re.findall(r"<details class=\"group\" name=\"menu\"><summary>([^<]+)</summary>", menu)
    assert groups == ["Inzicht", "Instellingen"]
    top_level = re.sub(r"<details.*?</details>", "", menu, flags=re.S)
    assert len(re.findall(r"<a ", top_level)) <= 5  # one row on a laptop
    assert 'href="/api/docs"' in menu and 'href="/outbox/"' in menu


def test_a_team_lead_sees_no_api_and_no_settings(cast):
    menu = _menu(cast, cast.lead.user)
    assert "/api/docs" not in menu
    assert "Instellingen" not in menu and "Inzicht" not in menu
    assert 'href="/cases/"' in menu


def test_the_favicon_is_served_and_linked(client, cast):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 301 and icon["Location"].endswith("cxloop/favicon.svg")
    svg = client.get(icon["Location"])
    assert svg.status_code == 200 and b"<svg" in b"".join(svg.streaming_content)
    page = cast.client_for(cast.lead.user).get("/cases/")
    assert 'rel="icon"' in page.content.decode()
