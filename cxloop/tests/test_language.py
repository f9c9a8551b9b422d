"""The staff UI is Dutch by default, English when the user switches, whatever the browser says."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_dutch_by_default_even_for_an_english_browser(db):
    page = Client().get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "Inloggen" in page.content.decode()
    assert page["Content-Language"] == "nl"


def test_the_switch_chooses_english_and_back(db):
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert "Log in" in client.get("/login/").content.decode()
    client.post("/i18n/setlang/", {"language": "nl", "next": "/login/"})
    assert "Inloggen" in client.get("/login/").content.decode()
