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
    chosen = choose_channel(facts=facts, channel=channel, fallback=fallback_channel)
    times = facts.invitation_times or []
    cap_since = now - timedelta(days=policy.cap_period_days)
    refused = refusal(
        policy,
        opted_out=facts.opted_out,
        chosen=chosen,
        channel=channel,
        fallback_channel=fallback_channel,
        open_complaint=facts.open_complaint,
        journey_asked=journey_id in (facts.journeys_asked or set()),
        last_invitation=times[-1] if times else None,
        quarantine_since=now - timedelta(days=policy.quarantine_days),
        invitations_in_cap_period=sum(1 for t in times if t > cap_since),
    )
    if refused is not None:
        return Verdict(False, *refused)
    if not in_sample(percent=sample_percent, key=sample_key):
        return Verdict(False, "not_sampled", f"sample of {sample_percent}%")
    return Verdict(True, "invited", channel=chosen)


def refusal(
    policy: Policy,
    *,
    opted_out: bool,
    chosen: str,
    channel: str,
    fallback_channel: str,
    open_complaint: bool,
    journey_asked: bool,
    last_invitation: datetime | None,
    quarantine_since: datetime,
    invitations_in_cap_period: int,
) -> tuple[str, str] | None:
    """The first of the chain's rules that says no, as (reason, detail); None when all allow it.

    On plain values, so that the batch planner decides a hundred thousand interactions without
    building facts objects, and decide() and the planner share one order of the rules.
    """
    if opted_out:
        return "opted_out", ""
    if not chosen:
        fallback = "/" + fallback_channel if fallback_channel else ""
        return "no_address", f"no usable address for {channel}{fallback}"
    if policy.suppress_during_open_complaint and open_complaint:
        return "open_complaint", ""
    if policy.one_request_per_journey and journey_asked:
        return "journey_asked", ""
    if (
        last_invitation is not None
        and policy.quarantine_days
        and last_invitation > quarantine_since
    ):
        return "quarantine", f"last invitation {last_invitation:%Y-%m-%d %H:%M} UTC"
    if policy.cap_count and invitations_in_cap_period >= policy.cap_count:
        return "cap", f"{invitations_in_cap_period} invitations in {policy.cap_period_days} days"
    return None


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
