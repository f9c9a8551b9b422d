"""Writing coaching notes: only someone who leads the employee's unit (or administers the organisation)."""

from django.contrib.auth.models import User
from django.db import transaction

from cxloop.coaching.models import CoachingNote
from cxloop.orgs.access import may_coach, scope_for
from cxloop.orgs.models import Employee
from cxloop.responses.models import Response


class CoachingError(Exception):
    """The note cannot be written (empty, or the author does not lead the employee)."""


@transaction.atomic
def write_note(
    *, author: User, employee: Employee, text: str, response: Response | None = None
) -> CoachingNote:
    """A lead's note to an employee; never about someone outside the lead's units."""
    text = text.strip()
    if not text:
        raise CoachingError("the note is empty")
    if not may_coach(scope_for(author), employee):
        raise CoachingError("only a lead of the employee's unit writes coaching notes")
    if response is not None and response.employee_id != employee.pk:
        raise CoachingError("the response is not about this employee")
    return CoachingNote.objects.create(
        employee=employee, author=author, text=text, response=response
    )
