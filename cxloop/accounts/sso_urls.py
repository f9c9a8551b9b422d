"""The two single sign-on URLs, under /oidc/; both answer 404 while single sign-on is off.

The names are mozilla-django-oidc's own, which it reverses. Logging out is cxloop's /logout/: it ends
the cxloop session, not the one at the provider (docs/security.md).
"""

from django.urls import path

from cxloop.accounts import sso

urlpatterns = [
    path("authenticate/", sso.SignInView.as_view(), name="oidc_authentication_init"),
    path("callback/", sso.CallbackView.as_view(), name="oidc_authentication_callback"),
]
