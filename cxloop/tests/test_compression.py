"""Pages, style sheets and API JSON leave compressed when the client accepts gzip."""

import gzip

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def _gzipped(client: Client, path: str, **headers):
    response = client.get(path, HTTP_ACCEPT_ENCODING="gzip, deflate", **headers)
    assert response.status_code == 200, path
    assert response["Content-Encoding"] == "gzip", path
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return gzip.decompress(body)


def test_a_page_the_css_and_api_json_come_back_gzipped(cast):
    page = _gzipped(cast.client_for(cast.owner_admin), "/organisations/leasewijs/")
    assert b"<html" in page
    css = _gzipped(Client(), "/static/cxloop/app.css")
    assert b"{" in css
    schema = _gzipped(Client(), "/api/openapi.json")
    assert schema.startswith(b"{")


def test_a_client_that_does_not_accept_gzip_gets_plain_text(cast):
    response = cast.client_for(cast.owner_admin).get("/organisations/leasewijs/")
    assert response.status_code == 200
    assert not response.has_header("Content-Encoding")
