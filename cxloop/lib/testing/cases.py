"""A follow-up case for tests: a response made through the loop, then the follow-up rules applied."""

from typing import Any

from cxloop.followup import services
from cxloop.followup.models import FollowUpCase
from cxloop.lib.testing.responses import make_response
from cxloop.orgs.models import Employee


def case_for(
    cast: Any, *, employee: Employee, nps: int = 3, comment: str = "Niemand belde terug"
) -> FollowUpCase | None:
    """The case the rules open for a response about `employee` (None when they open none)."""
    response = make_response(cast, employee=employee, nps=nps, comment=comment)
    return services.apply_followup_rules(response_id=response.pk)
