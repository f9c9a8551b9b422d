"""Reads that may go to a PostgreSQL read replica (CXLOOP_DATABASE_REPLICA_URL); the rest to the primary.

Only dashboards (their pages and CSV/XLSX exports) and the API's GET calls read from the replica,
and only feedback data: sessions, logins, API keys, the cache, the task queue and workers' leases
always use the primary, because they are written on nearly every request and must never be stale.

Replication lag: the replica may be a moment behind. So a request reads the primary from its first
write of feedback data on, and every read inside a transaction goes to the primary. A browser that
wrote something gets a short-lived cookie, so the page it is sent to next (post, redirect, get)
reads the primary too. Workers, the command line and every other page use the primary only.
"""

import contextvars
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
# Set after a request that wrote: the browser's next pages read the primary for this long.
PIN_COOKIE = "cxloop_read_primary"

# Written on most requests or read to decide who may do what: always the primary.
PRIMARY_ONLY_APPS = {
    "admin",
    "auth",
    "contenttypes",
    "sessions",
    "django_otp",
    "otp_totp",
    "otp_static",
    "axes",
    "accounts",
    "server",
    "django_tasks_database",
    "django_cache",
}
PRIMARY_ONLY_MODELS = {"orgs.apikey"}  # its last use is stamped on every API call


@dataclass
class _RequestReads:
    replica_allowed: bool = False
    wrote: bool = False


# None outside a request (workers, commands, tests calling services): everything on the primary.
_request_reads: contextvars.ContextVar[_RequestReads | None] = contextvars.ContextVar(
    "cxloop_request_reads", default=None
)


def _is_feedback_data(model) -> bool:
    meta = model._meta
    return meta.app_label not in PRIMARY_ONLY_APPS and meta.label_lower not in PRIMARY_ONLY_MODELS


class ReplicaRouter:
    """Django's database router for `default` (the primary) and `replica`."""

    def db_for_read(self, model, **hints) -> str:
        reads = _request_reads.get()
        if (
            reads is not None
            and reads.replica_allowed
            and not reads.wrote
            and _is_feedback_data(model)
            and not connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints) -> str:
        reads = _request_reads.get()
        if reads is not None and _is_feedback_data(model):
            reads.wrote = True  # from here on this request must see its own write
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # both aliases hold the same rows

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        return db == DEFAULT_DB_ALIAS


def _reads_replica(request: HttpRequest, view_func: Callable) -> bool:
    if request.method not in ("GET", "HEAD") or PIN_COOKIE in request.COOKIES:
        return False
    if request.path.startswith("/api/"):
        return True
    return getattr(view_func, "__module__", "") == "cxloop.dashboards.views"


class ReplicaReadsMiddleware:
    """Lets a dashboard's or an API GET's reads go to the replica; pins the browser after a write."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        reads = _RequestReads()
        token = _request_reads.set(reads)
        try:
            response = self.get_response(request)
        finally:
            _request_reads.reset(token)
        if reads.wrote and not request.path.startswith("/api/"):
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=settings.CXLOOP_REPLICA_PIN_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=request.is_secure(),
            )
        return response

    def process_view(self, request: HttpRequest, view_func: Callable, view_args, view_kwargs):
        reads = _request_reads.get()
        if reads is not None:
            reads.replica_allowed = _reads_replica(request, view_func)
        return None
