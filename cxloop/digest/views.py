"""Stopping the daily digest from the link in it, and turning it on or off when logged in."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from cxloop.digest.models import DigestSubscription
from cxloop.digest.services import set_enabled, user_from_stop_token
from cxloop.lib.auth import AuthenticatedHttpRequest


@require_http_methods(["GET", "POST"])
def stop(request: HttpRequest, token: str) -> HttpResponse:
    """Confirm, then stop (a GET from a mail scanner changes nothing)."""
    user = user_from_stop_token(token)
    if user is None:
        return render(request, "digest/stop.html", {"unknown": True}, status=404)
    if request.method == "POST":
        set_enabled(user=user, enabled=False)
        return render(request, "digest/stop.html", {"stopped": True})
    return render(request, "digest/stop.html", {})


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        set_enabled(user=request.user, enabled=request.POST.get("enabled") == "on")
    subscription = DigestSubscription.objects.filter(user=request.user).first()
    return render(
        request,
        "digest/preferences.html",
        {"enabled": subscription is None or subscription.enabled},
    )
