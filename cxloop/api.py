"""The JSON API under /api/, with its OpenAPI document at /api/openapi.json.

Every operation goes through `_admit`: the key must be known, unexpired, hold the scope the
method needs (read for GET, write for the rest), and stay under its rate limit. Every refusal has
one shape (`ErrorOut`: detail and errors) and every status an operation can answer is declared in
the document, so that a generated client reads every answer (docs/api.md).
"""

from collections import defaultdict
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.security import APIKeyHeader, HttpBearer

from cxloop.lib import ratelimit
from cxloop.lib.apierrors import ErrorOut
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
    size = int(request.META.get("CONTENT_LENGTH") or 0)
    if size > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:  # before anything reads the body
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raise Refused(413, f"The request body is {size} bytes; at most {limit} bytes are taken.")
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
    if wait and rate:  # a wait comes only from a rate; "off" (None) never waits
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


ERROR_REF = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
RETRY_AFTER = {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}}
REFUSALS = {
    "401": "No API key, an unknown or revoked key, or an expired key (the detail says which).",
    "403": "The key lacks the scope: read for GET, write for POST, PUT, PATCH and DELETE.",
    "429": "Too many requests; wait the seconds in Retry-After.",
}
BODY_REFUSALS = {
    "400": "The body is not JSON.",
    "413": "The body is larger than the server takes (see the detail).",
}
INVALID = "The request does not match this operation's schema; `errors` names each field."
NOT_FOUND = "No such object in your organisation (or your chain, where the path says so)."


def _declare(operation: dict, status: str, text: str) -> None:
    """Declare a status with the one error shape, keeping an operation's own description."""
    own = operation["responses"].get(status, {})
    answer = {"description": own.get("description") or text, "content": ERROR_REF}
    if status == "429":
        answer["headers"] = RETRY_AFTER
    operation["responses"][status] = answer


class CxloopApi(NinjaAPI):
    def get_openapi_operation_id(self, operation: Any) -> str:
        """Every operation names its id (`interactions_create`); this is the fallback's shape."""
        return operation.view_func.__name__

    def get_openapi_schema(self, **kwargs: Any) -> OpenAPISchema:
        """The document, with every status each operation can answer declared in the one error
        shape, and the two ways to send a key declared once for the whole API."""
        schema = super().get_openapi_schema(**kwargs)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["ErrorOut"] = {**ErrorOut.model_json_schema(), "title": "ErrorOut"}
        schema["security"] = [{"BearerKey": []}, {"HeaderKey": []}]
        for path in schema["paths"].values():
            for operation in path.values():
                secured = operation.pop("security", None)
                if not secured:
                    operation["security"] = []  # public: says so against the document's default
                for status, answer in list(operation["responses"].items()):
                    if int(status) >= 400:
                        _declare(operation, status, answer.get("description", ""))
                if secured:
                    for status, text in REFUSALS.items():
                        _declare(operation, status, text)
                if "requestBody" in operation:
                    for status, text in BODY_REFUSALS.items():
                        _declare(operation, status, text)
                if "requestBody" in operation or operation.get("parameters"):
                    _declare(operation, "422", INVALID)
                if any(p.get("in") == "path" for p in operation.get("parameters", [])):
                    _declare(operation, "404", NOT_FOUND)
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


def _error(
    request: HttpRequest, status: int, detail: str, errors: dict | None = None
) -> HttpResponse:
    return api.create_response(request, {"detail": detail, "errors": errors or {}}, status=status)


@api.exception_handler(Refused)
def _refused(request: HttpRequest, exc: Refused) -> HttpResponse:
    response = _error(request, exc.status, exc.detail)
    if exc.retry_after:
        response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    detail = (
        "Missing, unknown or revoked API key: send Authorization: Bearer KEY or X-API-Key: KEY."
    )
    return _error(request, 401, detail)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """A field-by-field report, keyed by the field's path in the request (`items.3.customer.email`)."""
    errors: dict[str, list[str]] = defaultdict(list)
    for error in exc.errors:
        where = [str(part) for part in error.get("loc", ()) if part not in {"body", "payload"}]
        errors[".".join(where) or "request"].append(str(error.get("msg", "is not valid")))
    first = "; ".join(f"{field}: {messages[0]}" for field, messages in list(errors.items())[:3])
    return _error(request, 422, f"The request is not valid ({first}).", dict(errors))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error(request, exc.status_code, str(exc))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "Not found.")


def _register_routers() -> None:
    from cxloop.customers.api import router as customers_router
    from cxloop.dashboards.api import router as metrics_router
    from cxloop.followup.api import router as cases_router
    from cxloop.journeys.api import router as journeys_router
    from cxloop.orgs.api import employees_router, units_router
    from cxloop.process.api import router as event_logs_router
    from cxloop.responses.api import router as responses_router
    from cxloop.surveys.api import invitations_router, surveys_router
    from cxloop.webhooks.api import router as webhooks_router

    api.add_router("/interactions", journeys_router, tags=["interactions"])
    api.add_router("/responses", responses_router, tags=["responses"])
    api.add_router("/customers", customers_router, tags=["customers"])
    api.add_router("/units", units_router, tags=["units"])
    api.add_router("/employees", employees_router, tags=["employees"])
    api.add_router("/cases", cases_router, tags=["cases"])
    api.add_router("/metrics", metrics_router, tags=["metrics"])
    api.add_router("/surveys", surveys_router, tags=["surveys"])
    api.add_router("/invitations", invitations_router, tags=["invitations"])
    api.add_router("/webhooks", webhooks_router, tags=["webhooks"])
    api.add_router("/event-logs", event_logs_router, tags=["event_logs"])


_register_routers()
