"""The chain's contact rules and quiet hours as pure functions, on plain data."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from cxloop.surveys import coordination as c

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
AMS = ZoneInfo("Europe/Amsterdam")


def facts(**overrides) -> c.CustomerFacts:
    values = {"has_email": True, "has_phone": True}
    values.update(overrides)
    return c.CustomerFacts(**values)


def verdict(policy=None, customer=None, journey_id=1, channel="email", fallback="", percent=100):
    return c.decide(
        policy=policy or c.Policy(),
        facts=customer or facts(),
        now=NOW,
        journey_id=journey_id,
        channel=channel,
        fallback_channel=fallback,
        sample_percent=percent,
        sample_key="K-1:claim-1:1",
    )


def test_a_fresh_customer_is_invited_on_the_rules_channel():
    assert verdict() == c.Verdict(True, "invited", channel="email")


@pytest.mark.parametrize(
    ("customer", "reason"),
    [
        (facts(opted_out=True), "opted_out"),
        (facts(has_email=False), "no_address"),
        (facts(open_complaint=True), "open_complaint"),
        (facts(journeys_asked={1}), "journey_asked"),
        (facts(invitation_times=[NOW - timedelta(days=29)]), "quarantine"),
    ],
)
def test_each_rule_says_no_with_its_reason(customer, reason):
    result = verdict(customer=customer)
    assert not result.invite and result.reason == reason


def test_quarantine_ends_after_its_days():
    assert verdict(customer=facts(invitation_times=[NOW - timedelta(days=30, seconds=1)])).invite


def test_the_cap_counts_invitations_in_the_period():
    times = [NOW - timedelta(days=d) for d in (40, 100, 200)]
    policy = c.Policy(cap_count=3, cap_period_days=365)
    assert verdict(policy=policy, customer=facts(invitation_times=times)).reason == "cap"
    older = [NOW - timedelta(days=d) for d in (40, 100, 400)]
    assert verdict(policy=policy, customer=facts(invitation_times=older)).invite


def test_policy_switches_turn_rules_off():
    policy = c.Policy(
        one_request_per_journey=False, suppress_during_open_complaint=False, quarantine_days=0
    )
    assert verdict(policy=policy, customer=facts(journeys_asked={1}, open_complaint=True)).invite


def test_the_fallback_channel_is_used_when_the_first_cannot_reach():
    result = verdict(customer=facts(has_email=False), fallback="sms")
    assert result.invite and result.channel == "sms"


def test_sampling_is_stable_and_close_to_its_percentage():
    draws = [c.in_sample(percent=30, key=f"K-{i}:j:1") for i in range(10_000)]
    assert 0.28 < sum(draws) / len(draws) < 0.32
    assert draws == [c.in_sample(percent=30, key=f"K-{i}:j:1") for i in range(10_000)]
    assert c.in_sample(percent=100, key="x") and not c.in_sample(percent=0, key="x")


def test_recording_an_invitation_updates_the_facts_for_the_next_decision():
    customer = facts()
    assert verdict(customer=customer).invite
    customer.record_invitation(at=NOW, journey_id=1)
    assert verdict(customer=customer, journey_id=2).reason == "quarantine"


QUIET = {"start": time(21, 0), "end": time(8, 0)}


def local(*args) -> datetime:
    return datetime(*args, tzinfo=AMS)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (local(2026, 11, 23, 20, 59), local(2026, 11, 23, 20, 59)),  # before the window
        (local(2026, 11, 23, 21, 0), local(2026, 11, 24, 8, 0)),  # evening: next morning
        (local(2026, 11, 24, 0, 30), local(2026, 11, 24, 8, 0)),  # after midnight: same morning
        (local(2026, 11, 24, 8, 0), local(2026, 11, 24, 8, 0)),  # the window has ended
        # Spring forward (29 March 2026, 02:00 → 03:00): the night is an hour shorter.
        (local(2026, 3, 28, 23, 0), local(2026, 3, 29, 8, 0)),
        # Fall back (25 October 2026, 03:00 → 02:00): the night is an hour longer.
        (local(2026, 10, 24, 22, 0), local(2026, 10, 25, 8, 0)),
    ],
)
def test_quiet_hours_cross_midnight_and_daylight_saving(moment, expected):
    assert c.next_send_time(moment, **QUIET) == expected
    assert c.next_send_time(moment, **QUIET).astimezone(AMS).time() in (
        moment.astimezone(AMS).time(),
        time(8, 0),
    )


def test_quiet_hours_around_dst_keep_the_right_utc_instant():
    # 08:00 in Amsterdam is 07:00 UTC in winter and 06:00 UTC in summer.
    assert c.next_send_time(local(2026, 3, 28, 23, 0), **QUIET).astimezone(UTC).hour == 6
    assert c.next_send_time(local(2026, 10, 24, 22, 0), **QUIET).astimezone(UTC).hour == 7
    # In UTC terms: 22:30 UTC on 24 Oct is 00:30 CEST, inside the window.
    assert c.in_quiet_hours(datetime(2026, 10, 24, 22, 30, tzinfo=UTC), **QUIET)


def test_a_quiet_window_that_ends_in_a_skipped_hour_ends_an_hour_later_as_the_clock_did():
    window = {"start": time(1, 0), "end": time(2, 30)}  # 02:30 does not exist on 29 March 2026
    result = c.next_send_time(local(2026, 3, 29, 1, 30), **window)
    assert result.astimezone(AMS).time() == time(3, 30)
    assert result > local(2026, 3, 29, 1, 30)


def test_a_same_day_window_and_an_empty_window():
    assert c.next_send_time(
        local(2026, 11, 23, 12, 30), start=time(12, 0), end=time(13, 0)
    ) == local(2026, 11, 23, 13, 0)
    moment = local(2026, 11, 23, 3, 0)
    assert c.next_send_time(moment, start=time(9, 0), end=time(9, 0)) == moment
