"""Single sign-on in Chromium, as a person clicks through it: cxloop's login page, the provider's
login form and consent page, back to cxloop. A browser enforces what `requests` does not: cxloop's
Content-Security-Policy and the session cookie's SameSite rule on the way back from the provider."""

from django.contrib.auth import get_user_model

from cxloop.accounts.tests.oidc_provider_site.running import PROVIDER_PASSWORD
from cxloop.orgs.models import Membership, Role


def test_a_person_logs_in_with_the_organisations_button(
    cast, sso_on, live_server, chromium_browser
):
    page = chromium_browser.new_context().new_page()
    blocked = []
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and blocked.append(message.text),
    )

    page.goto(f"{live_server.url}/login/?next=/cases/")
    button = page.get_by_role("link", name="Inloggen met Microsoft")
    assert button.bounding_box()["y"] < page.locator("input[name=password]").bounding_box()["y"]
    button.click()

    page.wait_for_selector("text=Provider login")
    page.fill("input[name=username]", "lotte")
    page.fill("input[name=password]", PROVIDER_PASSWORD)
    page.click("button")
    page.wait_for_selector("text=Request for Permission")
    page.click("input[name=allow]")

    page.wait_for_url(f"{live_server.url}/cases/")
    assert page.get_by_role("button", name="Uitloggen (lotte)").is_visible()
    assert blocked == []
    lotte = get_user_model().objects.get(username="lotte")
    assert Membership.objects.filter(
        user=lotte, organisation=cast.owner, role=Role.ANALYST
    ).exists()
