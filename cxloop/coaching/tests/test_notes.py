"""Coaching notes: written by the lead, read by the employee, nobody else."""

import pytest

from cxloop.coaching.models import CoachingNote
from cxloop.coaching.queries import notes_for
from cxloop.coaching.services import CoachingError, write_note

pytestmark = pytest.mark.django_db


def test_the_lead_writes_and_the_employee_reads(cast):
    lead = cast.client_for(cast.lead.user)
    assert (
        lead.post(
            f"/employees/{cast.agent.pk}/coaching/", {"text": "Mooi hoe je doorvroeg!"}
        ).status_code
        == 302
    )
    assert [n.text for n in notes_for(employee=cast.agent)] == ["Mooi hoe je doorvroeg!"]


def test_nobody_else_writes_notes(cast):
    for author in (cast.colleague.user, cast.agent.user, cast.partner_admin):
        with pytest.raises(CoachingError):
            write_note(author=author, employee=cast.agent, text="x")
    assert (
        cast.client_for(cast.outsider)
        .post(f"/employees/{cast.agent.pk}/coaching/", {"text": "x"})
        .status_code
        == 404
    )
    with pytest.raises(CoachingError):
        write_note(author=cast.lead.user, employee=cast.agent, text="   ")
    assert not CoachingNote.objects.exists()
