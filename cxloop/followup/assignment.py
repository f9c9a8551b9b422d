"""Who gets a follow-up case: the responsible lead, or a queue member by round robin with preferences."""

from django.db.models import Count, Q

from cxloop.followup.models import FollowUpQueue
from cxloop.orgs.models import Employee, Unit


def responsible_lead(unit: Unit | None) -> Employee | None:
    """The lead of the unit, or of the nearest unit above it that has one."""
    while unit is not None:
        if unit.lead_id is not None:
            return unit.lead
        unit = unit.parent
    return None


def leads_above(unit: Unit | None, *, current: Employee | None) -> list[Employee]:
    """The distinct leads from the unit upwards, after the current owner: the escalation ladder."""
    ladder: list[Employee] = []
    seen = {current.pk} if current else set()
    while unit is not None:
        if unit.lead_id not in seen and unit.lead is not None:  # no query without a lead
            ladder.append(unit.lead)
            seen.add(unit.lead.pk)
        unit = unit.parent
    return ladder


def pick_queue_member(queue: FollowUpQueue, *, customer_id: int, segment: str) -> Employee | None:
    """Prefer a member who knows the customer, then one whose skills fit the segment, then round robin."""
    members = list(queue.members.order_by("pk"))
    if not members:
        return None
    if queue.prefer_known_employee:
        known = _members_who_know(members, customer_id)
        if known:
            return known[0]
    if queue.match_segment and segment:
        skilled = [m for m in members if segment in (m.skills or [])]
        if skilled:
            members = skilled
    return _next_in_turn(members, queue.last_assigned_id)


def _members_who_know(members: list[Employee], customer_id: int) -> list[Employee]:
    """Members who handled this customer before (an interaction or a case), most contacts first."""
    counts = (
        Employee.objects.filter(pk__in=[m.pk for m in members])
        .annotate(
            contacts=Count(
                "interactions", filter=Q(interactions__customer_id=customer_id), distinct=True
            )
            + Count(
                "assigned_cases",
                filter=Q(assigned_cases__response__customer_id=customer_id),
                distinct=True,
            )
        )
        .filter(contacts__gt=0)
        .order_by("-contacts", "pk")
    )
    by_pk = {m.pk: m for m in members}
    return [by_pk[e.pk] for e in counts]


def _next_in_turn(members: list[Employee], last_id: int | None) -> Employee:
    ids = [m.pk for m in members]
    if last_id in ids:
        return members[(ids.index(last_id) + 1) % len(members)]
    later = [m for m in members if last_id is not None and m.pk > last_id]
    return later[0] if later else members[0]


def record_turn(queue: FollowUpQueue, employee: Employee) -> None:
    FollowUpQueue.objects.filter(pk=queue.pk).update(last_assigned=employee)
