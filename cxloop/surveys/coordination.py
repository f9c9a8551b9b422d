"""The chain's central coordination ("regie") as pure functions: may this customer be asked, and when?

Nothing here touches the database: services.py gathers the facts, these functions decide,
so every rule is tested on plain data and the batch and single paths decide alike.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@dataclass(frozen=True)
class Policy:
    """The chain's contact rules (ContactPolicy as plain data)."""

    quarantine_days: int = 30
    cap_count: int = 4
    cap_period_days: int = 365
    one_request_per_journey: bool = True
    suppress_during_open_complaint: bool = True


@dataclass
class CustomerFacts:
    """What the chain knows about one customer when deciding; updated as invitations are made."""

    opted_out: bool = False
    has_email: bool = False
    has_phone: bool = False
    open_complaint: bool = False
    invitation_times: list[datetime] | None = None  # every invitation of any partner
    journeys_asked: set[int] | None = None

    def __post_init__(self) -> None:
        self.invitation_times = sorted(self.invitation_times or [])
        self.journeys_asked = set(self.journeys_asked or ())

    def record_invitation(self, *, at: datetime, journey_id: int) -> None:
        assert self.invitation_times is not None and self.journeys_asked is not None
        self.invitation_times.append(at)
        self.invitation_times.sort()
        self.journeys_asked.add(journey_id)


@dataclass(frozen=True)
class Verdict:
    """The outcome and the reason code (InvitationDecision.Reason values)."""

    invite: bool
    reason: str
    detail: str = ""
    channel: str = ""


def in_sample(*, percent: int, key: str) -> bool:
    """A stable draw: the same customer, journey and rule always land on the same side."""
    if percent >= 100:
        return True
    if percent <= 0:
        return False
    bucket = int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big") % 100
    return bucket < percent


def choose_channel(*, facts: CustomerFacts, channel: str, fallback: str) -> str:
    """The rule's channel if the customer can be reached on it, else the fallback, else ''."""
    reachable = {"email": facts.has_email, "sms": facts.has_phone}
    for candidate in (channel, fallback):
        if candidate and reachable.get(candidate):
            return candidate
    return ""


def decide(
    *,
    policy: Policy,
    facts: CustomerFacts,
    now: datetime,
    journey_id: int,
    channel: str,
    fallback_channel: str = "",
    sample_percent: int = 100,
    sample_key: str = "",
) -> Verdict:
    """Apply the chain's rules in a fixed order; the first that says no gives the reason."""
    if facts.opted_out:
        return Verdict(False, "opted_out")
    chosen = choose_channel(facts=facts, channel=channel, fallback=fallback_channel)
    if not chosen:
        return Verdict(
            False,
            "no_address",
            f"no usable address for {channel}{'/' + fallback_channel if fallback_channel else ''}",
        )
    if policy.suppress_during_open_complaint and facts.open_complaint:
        return Verdict(False, "open_complaint")
    if policy.one_request_per_journey and journey_id in (facts.journeys_asked or set()):
        return Verdict(False, "journey_asked")
    times = facts.invitation_times or []
    if (
        times
        and policy.quarantine_days
        and times[-1] > now - timedelta(days=policy.quarantine_days)
    ):
        return Verdict(False, "quarantine", f"last invitation {times[-1]:%Y-%m-%d %H:%M} UTC")
    recent = [t for t in times if t > now - timedelta(days=policy.cap_period_days)]
    if policy.cap_count and len(recent) >= policy.cap_count:
        return Verdict(False, "cap", f"{len(recent)} invitations in {policy.cap_period_days} days")
    if not in_sample(percent=sample_percent, key=sample_key):
        return Verdict(False, "not_sampled", f"sample of {sample_percent}%")
    return Verdict(True, "invited", channel=chosen)


def in_quiet_hours(moment: datetime, *, start: time, end: time, tz: ZoneInfo = AMSTERDAM) -> bool:
    """Whether a moment falls in a quiet window of local wall-clock time (it may cross midnight)."""
    local = moment.astimezone(tz).time()
    if start == end:
        return False
    if start < end:
        return start <= local < end
    return local >= start or local < end


def next_send_time(
    moment: datetime, *, start: time, end: time, tz: ZoneInfo = AMSTERDAM
) -> datetime:
    """The moment itself, or the end of the quiet window it falls in (local time, DST-aware)."""
    if not in_quiet_hours(moment, start=start, end=end, tz=tz):
        return moment
    local = moment.astimezone(tz)
    end_day = local.date()
    if start > end and local.time() >= start:
        end_day += timedelta(days=1)  # the window crosses midnight: it ends tomorrow morning
    wall = datetime.combine(end_day, end)
    # Attach the zone to the wall-clock time; a time that DST skips moves on by the skipped hour.
    aware = wall.replace(tzinfo=tz)
    if aware.astimezone(ZoneInfo("UTC")).astimezone(tz).replace(tzinfo=None) != wall:
        aware = (wall + timedelta(hours=1)).replace(tzinfo=tz)
    return aware.astimezone(moment.tzinfo or ZoneInfo("UTC"))
