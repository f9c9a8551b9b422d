"""The JSON API under /api/, with its OpenAPI document at /api/openapi.json."""

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.security import APIKeyHeader, HttpBearer

from cxloop.orgs.models import ApiKey
from cxloop.orgs.services import authenticate_api_key


class BearerKey(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiKey | None:
        return authenticate_api_key(token)


class HeaderKey(APIKeyHeader):
    param_name = "X-API-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> ApiKey | None:
        return authenticate_api_key(key or "")


api = NinjaAPI(
    title="cxloop API",
    version="1",
    description=(
        "Post interactions from your systems, read responses. Authenticate with an API key of your "
        "organisation (`cxloop apikey create --organisation SLUG`) as `Authorization: Bearer KEY` "
        "or `X-API-Key: KEY`."
    ),
    auth=[BearerKey(), HeaderKey()],
    urls_namespace="api",
)


def _register_routers() -> None:
    from cxloop.customers.api import router as customers_router
    from cxloop.journeys.api import router as journeys_router
    from cxloop.responses.api import router as responses_router

    api.add_router("/interactions", journeys_router, tags=["interactions"])
    api.add_router("/responses", responses_router, tags=["responses"])
    api.add_router("/customers", customers_router, tags=["customers"])


_register_routers()
