"""cxloop's own 403, 404 and 500 pages: in the layout, in Dutch, with a way back."""

import pytest
from django.test import Client, RequestFactory

from cxloop.lib import errors

pytestmark = pytest.mark.django_db


def test_a_page_that_does_not_exist_is_our_404_in_dutch(cast):
    page = cast.client_for(cast.owner_admin).get("/cases/999999/")
    html = page.content.decode()
    assert page.status_code == 404
    assert "Pagina niet gevonden" in html and 'class="top"' in html  # the app's header
    assert 'href="/"' in html and "Terug naar de startpagina" in html
    assert "Not Found" not in html


def test_a_404_for_someone_not_logged_in_is_the_same_page(db):
    page = Client().get("/no-such-page/")
    assert page.status_code == 404 and "Pagina niet gevonden" in page.content.decode()


def test_a_refused_form_is_our_403_in_dutch(cast):
    client = Client(enforce_csrf_checks=True)
    page = client.post("/login/", {"username": "x", "password": "y"})
    html = page.content.decode()
    assert page.status_code == 403
    assert "Geen toegang" in html and 'class="top"' in html and "Terug naar de startpagina" in html


def test_the_403_handler_renders_our_page(db):
    request = RequestFactory().get("/somewhere/")
    page = errors.permission_denied(request)
    assert page.status_code == 403 and "Je mag dit niet zien of doen" in page.content.decode()


def test_the_500_page_renders_without_a_request(db):
    page = errors.server_error(None)
    html = page.content.decode()
    assert page.status_code == 500
    assert "Er ging iets mis" in html and 'class="top"' in html and 'href="/"' in html


def test_an_error_in_a_view_gives_our_500_page(cast, settings):
    client = cast.client_for(cast.owner_admin)
    client.raise_request_exception = False
    settings.ROOT_URLCONF = "cxloop.tests.failing_urls"
    page = client.get("/fails/")
    assert page.status_code == 500 and "Er ging iets mis" in page.content.decode()
