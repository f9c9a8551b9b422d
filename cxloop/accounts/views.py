"""A person's own account: password, second factor, and the pages between password and work."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp import match_token

from cxloop.accounts import services, twofactor
from cxloop.accounts import welcome as welcome_links
from cxloop.accounts.forms import CodeForm
from cxloop.lib.ratelimit import limit_per_client
from cxloop.orgs.capabilities import must_use_two_factor


@login_required
def account(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "accounts/account.html",
        {
            "has_second_factor": twofactor.has_second_factor(user),
            "required": must_use_two_factor(user),
            "backup_codes_left": twofactor.backup_codes_left(user),
            "form": CodeForm(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    """Scan the QR code, type the first code: the authenticator is confirmed and backup codes shown once."""
    user = request.user
    device = services.start_authenticator(user)
    form = CodeForm(request.POST or None)
    if form.is_valid():
        codes = services.confirm_authenticator(user, form.cleaned_data["code"])
        if codes is not None:
            otp_login(request, twofactor.authenticator(user))
            messages.success(request, _("Two-step verification is on."))
            return render(
                request, "accounts/backup_codes.html", {"codes": codes, "next": _next(request)}
            )
        form.add_error(
            "code", _("That code is not right. Check the time on your phone and try again.")
        )
    return render(
        request,
        "accounts/setup.html",
        {
            "form": form,
            "qr_code": twofactor.qr_code_svg(device),
            "secret": twofactor.secret_for_typing(device),
            "required": must_use_two_factor(user),
            "next": _next(request),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """The second step of logging in. django-otp slows down repeated wrong codes per device."""
    user = request.user
    if not twofactor.has_second_factor(user):
        return redirect("two_factor_setup")
    form = CodeForm(request.POST or None)
    if form.is_valid():
        device = match_token(user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            return redirect(_next(request))
        form.add_error("code", _("That code is not right. Try the code your app shows now."))
    return render(request, "accounts/verify.html", {"form": form, "next": _next(request)})


@login_required
@require_POST
def turn_off(request: HttpRequest) -> HttpResponse:
    """Someone who may work without a second factor turns it off, confirming with a current code."""
    user = request.user
    if must_use_two_factor(user):
        messages.error(
            request, _("Your role requires two-step verification; it cannot be turned off.")
        )
        return redirect("account")
    form = CodeForm(request.POST)
    if form.is_valid() and match_token(user, form.cleaned_data["code"]) is not None:
        services.remove_two_factor(user, actor=user)
        messages.success(request, _("Two-step verification is off."))
    else:
        messages.error(request, _("That code is not right; two-step verification stays on."))
    return redirect("account")


@login_required
@require_POST
def new_backup_codes(request: HttpRequest) -> HttpResponse:
    codes = services.replace_backup_codes(request.user)
    return render(
        request, "accounts/backup_codes.html", {"codes": codes, "next": reverse_lazy("account")}
    )


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's own form and password validators; the change is audited and confirmed."""

    template_name = "accounts/password.html"
    success_url = reverse_lazy("account")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.record_password_change(self.request.user)
        messages.success(self.request, _("Your password has been changed."))
        return response


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


@limit_per_client("welcome", "CXLOOP_RATELIMIT_LINKS")  # guessing tokens runs into the tight limit
@require_http_methods(["GET", "POST"])
def welcome(request: HttpRequest, token: str) -> HttpResponse:
    """Set a password with the link from an invitation or a new-password e-mail, then log in."""
    user = welcome_links.user_for_token(token)
    if user is None:
        return render(request, "accounts/welcome_invalid.html", status=404)
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()  # the new password hash makes the link stop working
        services.record_password_change(user)
        messages.success(
            request,
            _("Your password is set. Log in with your username %(username)s.")
            % {"username": user.username},
        )
        return redirect("login")
    status = 422 if request.method == "POST" else 200
    return render(request, "accounts/welcome.html", {"form": form, "person": user}, status=status)
