# The running test provider for the single sign-on tests (oidc_provider_site/running.py).
from cxloop.accounts.tests.oidc_provider_site.running import provider, sso_on  # noqa: F401
