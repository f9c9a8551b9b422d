"""A customer answers the survey from the e-mail's link in Chromium, on a phone-sized screen."""

import re
from itertools import pairwise

import pytest
from django.test import override_settings

from cxloop.conftest import interaction_payload
from cxloop.lib.testing.browser import PHONE, contrast
from cxloop.messaging.models import OutboxMessage
from cxloop.messaging.services import as_sent
from cxloop.responses.models import Response


@pytest.mark.django_db(transaction=True)
def test_a_customer_answers_on_a_phone_from_the_email_link(
    cast, live_server, chromium_browser, post_interaction, tmp_path
):
    with override_settings(BASE_URL=live_server.url):
        post_interaction(interaction_payload())
        # The link is made as the message is sent, with the sending worker's BASE_URL.
        html = as_sent(OutboxMessage.objects.get(purpose="invitation")).html
    link = re.search(r'href="([^"]+\?nps=3)"', html).group(1)
    assert link.startswith(live_server.url)

    page = chromium_browser.new_page(**PHONE)
    page.goto(link)  # the customer taps "3" in the e-mail
    assert Response.objects.get().nps == 3  # kept at once, before anything else
    assert page.locator("html").get_attribute("lang") == "nl"
    # Nothing wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # The tapped score is selected; every field has a label; tap targets are big enough.
    nps = page.locator(f'input[name="q{cast.nps_question.pk}"][value="3"]')
    assert nps.is_checked()
    label_box = page.locator(f'label[for="q{cast.nps_question.pk}-3"]').bounding_box()
    assert label_box["height"] >= 44 and label_box["width"] >= 24
    textarea = page.get_by_label(cast.open_question.text_nl)
    textarea.fill("Ik moest drie keer bellen voordat iemand me hielp.")

    # The keyboard reaches the submit button and its focus is visible.
    submit = page.locator('button[value="submit"]')
    submit.focus()
    outline = page.evaluate("el => getComputedStyle(el).outlineStyle", submit.element_handle())
    assert outline != "none"
    style = page.evaluate(
        "el => [getComputedStyle(el).color, getComputedStyle(el).backgroundColor]",
        submit.element_handle(),
    )
    assert contrast(*style) >= 4.5
    body = page.evaluate(
        "() => [getComputedStyle(document.body).color, getComputedStyle(document.querySelector('main')).backgroundColor]"
    )
    assert contrast(*body) >= 4.5
    page.screenshot(path=str(tmp_path / "survey-phone.png"), full_page=True)

    submit.click()
    page.wait_for_url(re.compile(r"/thanks/"))
    assert "Bedankt" in page.content()
    response = Response.objects.get()
    assert response.submitted_at is not None
    assert response.comment == "Ik moest drie keer bellen voordat iemand me hielp."
    page.screenshot(path=str(tmp_path / "thanks-phone.png"))


@pytest.mark.parametrize("width", [390, 320])
@pytest.mark.django_db(transaction=True)
def test_the_0_to_10_scale_stays_on_one_row_on_a_phone(
    cast, live_server, chromium_browser, post_interaction, width
):
    with override_settings(BASE_URL=live_server.url):
        post_interaction(interaction_payload())
        html = as_sent(OutboxMessage.objects.get(purpose="invitation")).html
    link = re.search(r'href="([^"]+)\?nps=0"', html).group(1)

    page = chromium_browser.new_page(**{**PHONE, "viewport": {"width": width, "height": 844}})
    page.goto(link)
    boxes = [
        page.locator(f'label[for="q{cast.nps_question.pk}-{score}"]').bounding_box()
        for score in range(11)
    ]
    assert len({round(box["y"]) for box in boxes}) == 1, boxes  # one row
    assert all(a["x"] + a["width"] <= b["x"] for a, b in pairwise(boxes))  # 0 to 10, left to right
    assert boxes[-1]["x"] + boxes[-1]["width"] <= width
    assert min(box["width"] for box in boxes) >= 24 and min(box["height"] for box in boxes) >= 44
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    # The score links in the e-mail itself fit on one row too.
    page.set_content(html)
    links = [page.locator(f'a[href$="?nps={score}"]').bounding_box() for score in range(11)]
    assert len({round(box["y"]) for box in links}) == 1, links
    assert page.evaluate("document.documentElement.scrollWidth") <= width
