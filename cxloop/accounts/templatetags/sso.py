"""{% sso_button %}: the login page's single sign-on link, shown only when single sign-on is on."""

from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.urls import reverse

register = template.Library()


@register.inclusion_tag("accounts/_sso_button.html", takes_context=True)
def sso_button(context) -> dict:
    sso = getattr(settings, "CXLOOP_OIDC", None)
    if sso is None:
        return {"url": None}
    url = reverse("oidc_authentication_init")
    if next_page := context.get("next"):
        url = f"{url}?{urlencode({'next': next_page})}"  # the sign-in view checks it is ours
    return {"url": url, "label": sso.login_label}
