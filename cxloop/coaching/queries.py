"""Reading coaching notes: the employee they are for, and the leads who may see that employee."""

from cxloop.coaching.models import CoachingNote
from cxloop.orgs.models import Employee


def notes_for(*, employee: Employee, limit: int = 20) -> list[CoachingNote]:
    """The newest notes for one employee (the caller has checked access to the employee)."""
    return list(CoachingNote.objects.filter(employee=employee).select_related("author")[:limit])
