"""django-axes' two hooks: which address a login attempt came from, and the answer to a locked-out one."""

import ipaddress

from axes.helpers import get_cool_off
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cxloop.lib.ratelimit import client_ip


def client_address(request: HttpRequest) -> str | None:
    """The address as the rate limits see it (through trusted proxies), or None if it is none.

    Axes stores it in an IP-address column, so an IPv6 client's /64 (the rate limits' unit) is
    stored as its network address, and a request without an address as no address.
    """
    address = client_ip(request)
    try:
        return str(ipaddress.ip_network(address, strict=False).network_address)
    except ValueError:
        return None


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """429 after too many wrong passwords: how long to wait, and why."""
    cool_off = get_cool_off(request)
    minutes = max(1, int(cool_off.total_seconds() // 60)) if cool_off else None
    response = render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)
    if cool_off:
        response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response


def not_a_password(request: HttpRequest, credentials=None) -> bool:
    """Single sign-on callbacks are not counted: no password is tried here, the provider has its own
    lockout, and a refused sign-in (an unknown e-mail) must not lock an office's address out."""
    match = getattr(request, "resolver_match", None)
    return bool(match and match.url_name == "oidc_authentication_callback")
