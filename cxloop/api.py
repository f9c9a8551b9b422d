"""The JSON API under /api/, with its OpenAPI document at /api/openapi.json.

Every operation goes through `_admit`: the key must be known, unexpired, hold the scope the
method needs (read for GET, write for the rest), and stay under its rate limit.
"""

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.openapi.schema import OpenAPISchema
from ninja.security import APIKeyHeader, HttpBearer

from cxloop.lib import ratelimit
from cxloop.orgs.models import ApiKey
from cxloop.orgs.services import ApiKeyExpired, authenticate_api_key

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class Refused(Exception):
    """A known key that may not make this call now (expired, missing scope, over its limit)."""

    def __init__(self, status: int, detail: str, retry_after: int | None = None):
        super().__init__(detail)
        self.status, self.detail, self.retry_after = status, detail, retry_after


def _admit(request: HttpRequest, raw_key: str) -> ApiKey | None:
    """The key behind the request if it may make this call; None for no such key (401)."""
    try:
        api_key = authenticate_api_key(raw_key)
    except ApiKeyExpired as expired:
        when = timezone.localtime(expired.api_key.expires_at)
        raise Refused(
            401, f"This API key expired on {when:%Y-%m-%d %H:%M %Z}; ask for a new one."
        ) from None
    if api_key is None:
        return None
    needed = ApiKey.Scope.WRITE if request.method in WRITE_METHODS else ApiKey.Scope.READ
    if needed not in api_key.scope_set:
        raise Refused(
            403,
            f"This API key has the scope {api_key.scopes!r}; {request.method} needs the '{needed}' scope.",
        )
    rate = settings.CXLOOP_RATELIMIT_API
    wait = ratelimit.hit("api-key", str(api_key.pk), rate)
    if wait:
        count, seconds = rate
        raise Refused(
            429,
            f"This API key made more than {count} requests in {seconds} seconds; try again in {wait} seconds.",
            retry_after=wait,
        )
    return api_key


class BearerKey(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiKey | None:
        return _admit(request, token)


class HeaderKey(APIKeyHeader):
    param_name = "X-API-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> ApiKey | None:
        return _admit(request, key or "")


DETAIL = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}
REFUSALS = {
    "401": "No API key, an unknown or revoked key, or an expired key (the detail says which).",
    "403": "The key lacks the scope: read for GET, write for POST, PUT, PATCH and DELETE.",
    "429": "Too many requests; wait the seconds in Retry-After.",
}


class CxloopApi(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> OpenAPISchema:
        """The document, with the refusals every authenticated operation can answer."""
        schema = super().get_openapi_schema(**kwargs)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.setdefault("DetailOut", {**DETAIL, "title": "DetailOut"})
        error = {"application/json": {"schema": {"$ref": "#/components/schemas/DetailOut"}}}
        retry_after = {
            "Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}
        }
        for path in schema["paths"].values():
            for operation in path.values():
                if not operation.get("security"):
                    continue
                for status, text in REFUSALS.items():
                    answer = {"description": text, "content": error}
                    if status == "429":
                        answer["headers"] = retry_after
                    operation["responses"].setdefault(status, answer)
        return schema


api = CxloopApi(
    title="cxloop API",
    version="1",
    description=(
        "Post interactions from your systems, read responses. Authenticate with an API key of your "
        "organisation (`cxloop apikey create --organisation SLUG [--scope read|write|read,write] "
        "[--days N]`) as `Authorization: Bearer KEY` or `X-API-Key: KEY`. A key with only the read "
        "scope may GET; writes need the write scope. Each key may make a limited number of requests "
        "per minute (a batch counts as one); past it the answer is 429 with Retry-After."
    ),
    auth=[BearerKey(), HeaderKey()],
    urls_namespace="api",
)


@api.exception_handler(Refused)
def _refused(request: HttpRequest, exc: Refused) -> HttpResponse:
    response = api.create_response(request, {"detail": exc.detail}, status=exc.status)
    if exc.retry_after:
        response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    detail = (
        "Missing, unknown or revoked API key: send Authorization: Bearer KEY or X-API-Key: KEY."
    )
    return api.create_response(request, {"detail": detail}, status=401)


def _register_routers() -> None:
    from cxloop.customers.api import router as customers_router
    from cxloop.journeys.api import router as journeys_router
    from cxloop.responses.api import router as responses_router

    api.add_router("/interactions", journeys_router, tags=["interactions"])
    api.add_router("/responses", responses_router, tags=["responses"])
    api.add_router("/customers", customers_router, tags=["customers"])


_register_routers()
