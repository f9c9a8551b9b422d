"""Fixed-window rate limits counted in Django's cache, so every process sharing the cache shares them.

Why our own small counter and not django-ratelimit: its system check rejects the database cache
(the embedded default) and the in-memory cache as errors, it refuses with 403 and no Retry-After,
and it cannot count only the requests that turned out to be 404 (guessed tokens). The counting is
the same idea: `cache.add` opens a window, `cache.incr` counts in it. That is atomic on Redis and
in memory; on the database cache two simultaneous requests may be counted once, which lets a
burst run a little past the limit but never blocks a client early.
"""

import hashlib
import ipaddress
import logging
import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import translation

logger = logging.getLogger(__name__)

Rate = tuple[int, int] | None  # (requests, seconds); None: no limit
View = Callable[..., HttpResponse]


def client_ip(request: HttpRequest) -> str:
    """The client's address (an IPv6 client's /64), seen through CXLOOP_TRUSTED_PROXY_COUNT proxies."""
    address = request.META.get("REMOTE_ADDR", "")
    proxies = settings.CXLOOP_TRUSTED_PROXY_COUNT
    forwarded = [
        a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()
    ]
    if proxies > 0 and len(forwarded) >= proxies:
        address = forwarded[-proxies]  # each trusted proxy appended the address it was reached from
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address or "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(
            ipaddress.ip_network(f"{ip}/64", strict=False)
        )  # one subscriber holds a whole /64
    return str(ip)


def _window(bucket: str, ident: str, seconds: int) -> tuple[str, int]:
    """The cache key of the current window and the seconds until it ends."""
    now = time.time()
    number = int(now // seconds)
    # Hashed, so the cache holds no IP addresses (personal data) or key ids in the clear.
    digest = hashlib.sha256(ident.encode()).hexdigest()[:32]
    return f"rl:{bucket}:{seconds}:{digest}:{number}", max(
        1, math.ceil((number + 1) * seconds - now)
    )


def hit(bucket: str, ident: str, rate: Rate) -> int | None:
    """Count one request; return the seconds to wait when it goes over the limit, else None."""
    if rate is None:
        return None
    limit, seconds = rate
    key, remaining = _window(bucket, ident, seconds)
    cache = caches["default"]
    try:
        with _without_waiting_for_the_disk(cache):
            count = 1 if cache.add(key, 1, timeout=seconds + 1) else cache.incr(key)
    except ValueError:  # the window expired between add and incr
        return None
    except Exception:
        # A broken cache must not take the survey pages down with it: let the request through.
        logger.exception("rate-limit cache unavailable; request let through")
        return None
    return remaining if count > limit else None


@contextmanager
def _without_waiting_for_the_disk(cache: BaseCache) -> Iterator[None]:
    """For counters in PostgreSQL (the database cache): one transaction that does not wait for its
    commit to reach the disk. A counter lost in a crash costs nothing; the flush cost 4 ms of
    every API request here. Inside a request's own transaction nothing changes: SET LOCAL would
    hold for the request's data too."""
    alias = (
        router.db_for_write(cache.cache_model_class) if isinstance(cache, DatabaseCache) else None
    )
    connection = connections[alias] if alias else None
    if connection is None or connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit TO OFF")
        yield


def reached(bucket: str, ident: str, rate: Rate) -> int | None:
    """Without counting: the seconds to wait when the limit is reached already, else None."""
    if rate is None:
        return None
    limit, seconds = rate
    key, remaining = _window(bucket, ident, seconds)
    try:
        count = caches["default"].get(key, 0)
    except Exception:
        logger.exception("rate-limit cache unavailable; request let through")
        return None
    return remaining if count >= limit else None


def too_many_requests(request: HttpRequest, wait: int, *, api: bool) -> HttpResponse:
    """429 with Retry-After: {"detail": ...} for the API, a short page for people."""
    if api:
        detail = f"Too many requests from your address; try again in {wait} seconds."
        response: HttpResponse = JsonResponse({"detail": detail}, status=429)
    else:
        requested = request.GET.get("lang", "")
        language = requested if requested in {"nl", "en"} else translation.get_language() or "nl"
        with translation.override(language):
            response = render(
                request, "too_many_requests.html", {"wait": wait, "language": language}, status=429
            )
    response["Retry-After"] = str(wait)
    return response


def limit_per_client(
    bucket: str, rate_setting: str, *, api: bool = False
) -> Callable[[View], View]:
    """Limit a public view per client address, and far more tightly once it answered 404 to that client.

    The 404s are unknown tokens or keys: someone guessing them runs into the tighter
    CXLOOP_RATELIMIT_UNKNOWN long before a customer with a real link notices any limit.
    """
    unknown_bucket = f"{bucket}-unknown"

    def decorator(view: View) -> View:
        @wraps(view)
        def limited(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            ip = client_ip(request)
            unknown = settings.CXLOOP_RATELIMIT_UNKNOWN
            wait = reached(unknown_bucket, ip, unknown) or hit(
                bucket, ip, getattr(settings, rate_setting)
            )
            if wait:
                return too_many_requests(request, wait, api=api)
            response = view(request, *args, **kwargs)
            if response.status_code == 404:
                hit(unknown_bucket, ip, unknown)
            return response

        return limited

    return decorator
