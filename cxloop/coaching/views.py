"""Writing a coaching note from the employee's page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from cxloop.coaching.services import CoachingError, write_note
from cxloop.lib.auth import AuthenticatedHttpRequest
from cxloop.orgs.access import access_employee


@login_required
@require_POST
def add_note(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    employee = access_employee(request.user, pk)
    try:
        write_note(author=request.user, employee=employee, text=request.POST.get("text", ""))
    except CoachingError as error:
        messages.error(request, str(error))
    return redirect("employee_dashboard", pk=employee.pk)
