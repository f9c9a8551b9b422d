"""Where the public event logs are, and PM4Py as the oracle: both skipped (failed under CI) when missing."""

import os
from pathlib import Path

import pytest

import cxloop

EVENTLOGS = Path(cxloop.__file__).resolve().parents[2] / "shared" / "eventlogs"


def _missing(message: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def eventlogs() -> Path:
    """The folder of public logs beside the repository (shared/eventlogs)."""
    if not (EVENTLOGS / "running-example.xes").exists():
        _missing(
            f"the public event logs are not in {EVENTLOGS} (the shared/ folder beside the repository)"
        )
    return EVENTLOGS


@pytest.fixture(scope="session")
def pm4py():
    """PM4Py, imported only by tests: it is the oracle, never a dependency of cxloop itself."""
    os.environ.setdefault("TQDM_DISABLE", "1")
    try:
        import pm4py
    except ImportError:
        _missing("pm4py is not installed (pip install -e '.[dev]')")
    return pm4py


# --- cxloop's own journeys: three claims across the owner and its partner call centre -----------

T0 = "2026-03-02T09:00:00+00:00"


@pytest.fixture
def claims(cast):
    """claim-1 (open): Anouk, Pim at the partner, Bram; claim-2 (ended): Anouk twice; claim-3: Pim only.

    claim-1 has an NPS of 3 and claim-2 one of 10.
    """
    from datetime import datetime, timedelta

    from django.utils import timezone

    from cxloop.journeys.services import InteractionInput, record_interactions
    from cxloop.responses.models import Response

    t0 = datetime.fromisoformat(T0)

    def item(
        external_id: str,
        journey: str,
        customer: str,
        hours: float,
        channel: str,
        employee: str,
        **extra,
    ):
        return InteractionInput(
            external_id=external_id,
            occurred_at=t0 + timedelta(hours=hours),
            customer_key=customer,
            journey_id=journey,
            journey_type="schade-melden",
            channel=channel,
            employee=employee,
            **extra,
        )

    record_interactions(
        organisation=cast.owner,
        items=[
            item("o1", "claim-1", "K-1", 0, "telefoon", "A1", touchpoint="melding"),
            item("o2", "claim-1", "K-1", 48, "e-mail", "B1", touchpoint="melding"),
            item("o3", "claim-2", "K-2", 0, "telefoon", "A1", touchpoint="melding"),
            item(
                "o4", "claim-2", "K-2", 3, "e-mail", "A1", touchpoint="melding", journey_ended=True
            ),
        ],
    )
    record_interactions(
        organisation=cast.partner,
        items=[
            item("p1", "claim-1", "K-1", 1, "telefoon", "P1"),
            item("p2", "claim-3", "K-3", 0, "telefoon", "P1"),
        ],
    )
    from cxloop.journeys.models import Journey

    now = timezone.now()
    for journey, score in (("claim-1", 3), ("claim-2", 10)):
        found = Journey.objects.get(external_id=journey)
        Response.objects.create(
            survey=cast.survey,
            customer=found.customer,
            organisation=cast.owner,
            journey=found,
            journey_type=cast.journey_type,
            nps=score,
            started_at=now,
            submitted_at=now,
        )
    return cast
