"""Daily roll-ups of scores, maintained as responses arrive, so that dashboards never scan responses.

DailyScore holds every dimension a filter may ask for (one row per day and combination of
organisation, unit, employee, journey type, channel, touchpoint and segment): on busy data it is
hardly smaller than the responses. The compact roll-ups below are sums of DailyScore rows over
fewer dimensions, for the reads that need no more (a few rows per unit, employee, or channel and
journey type, and day, however many responses): unit trees and trends, employees and the
anonymity rule's counts, and channel × journey.
`rollups` keeps them in step; `queries.base.rollups_for` picks the smallest that can answer.

Roll-ups are derived data, rebuilt from the responses at will: their foreign keys are not checked
by the database (db_constraint=False; Django still deletes them with what they point to), which
spares a rebuild a check per key per row.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Counts(models.Model):
    """The counts a roll-up row holds: enough for NPS, CSAT and CES with their intervals."""

    promoters = models.PositiveIntegerField(default=0)
    passives = models.PositiveIntegerField(default=0)
    detractors = models.PositiveIntegerField(default=0)
    csat_n = models.PositiveIntegerField(default=0)
    csat_top2 = models.PositiveIntegerField(default=0)
    ces_n = models.PositiveIntegerField(default=0)
    ces_sum = models.PositiveIntegerField(default=0)
    ces_sum_squares = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


# Counts' fields, in the order the queries and the rebuild's SQL read them.
COUNT_FIELDS = (
    "promoters",
    "passives",
    "detractors",
    "csat_n",
    "csat_top2",
    "ces_n",
    "ces_sum",
    "ces_sum_squares",
)


class DailyScore(models.Model):
    """Counts of one day's responses for one combination of organisation, unit, employee,
    journey type, channel, touchpoint and segment."""

    key = models.CharField(max_length=200)  # unique: Meta.constraints
    day = models.DateField(db_index=True)
    # No index of their own for organisation, employee (the indexes with the day lead with them),
    # unit, channel and touchpoint: no read looks rows up by those alone (the compact roll-ups
    # answer the dashboards), and every index costs a rebuild a write per row.
    organisation = models.ForeignKey(
        "orgs.Organisation",
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    unit = models.ForeignKey(
        "orgs.Unit",
        null=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    unit_path = models.CharField(max_length=500, blank=True, db_index=True)  # unit moves
    employee = models.ForeignKey(
        "orgs.Employee",
        null=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    journey_type = models.ForeignKey(
        "journeys.JourneyType",
        null=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
    )
    channel = models.ForeignKey(
        "journeys.Channel",
        null=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    touchpoint = models.ForeignKey(
        "journeys.Touchpoint",
        null=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    segment = models.CharField(max_length=64, blank=True)
    promoters = models.PositiveIntegerField(default=0)
    passives = models.PositiveIntegerField(default=0)
    detractors = models.PositiveIntegerField(default=0)
    csat_n = models.PositiveIntegerField(default=0)
    csat_top2 = models.PositiveIntegerField(default=0)
    ces_n = models.PositiveIntegerField(default=0)
    ces_sum = models.PositiveIntegerField(default=0)
    ces_sum_squares = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("daily score")
        verbose_name_plural = _("daily scores")
        # A constraint rather than unique=True: the same unique index, without the second
        # (LIKE) index PostgreSQL gets for a unique text field, which no read uses.
        constraints = [
            models.UniqueConstraint(fields=["key"], name="dashboards_dailyscore_one_key")
        ]
        indexes = [
            models.Index(fields=["organisation", "day"]),
            models.Index(fields=["employee", "day"]),
        ]

    def __str__(self) -> str:
        return self.key


def unit_subtree_index(name: str) -> models.Index:
    """For reads of a unit and everything below it (unit_path LIKE '/1/2/%'): PostgreSQL uses a
    text index for LIKE only with the pattern operator class, unless the database's collation is
    C (other databases ignore opclasses)."""
    return models.Index(
        fields=["unit_path", "day"], name=name, opclasses=["varchar_pattern_ops", "date_ops"]
    )


class UnitDayScore(Counts):
    """DailyScore summed per organisation, unit (path) and segment, per day: every employee,
    journey type, channel and touchpoint together (unit_path "" holds what no unit answered for)."""

    DIMENSIONS = frozenset({"organisation_id", "unit_path", "segment"})

    day = models.DateField()
    organisation = models.ForeignKey(
        "orgs.Organisation", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    unit_path = models.CharField(max_length=500, blank=True)
    segment = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("daily score per unit")
        verbose_name_plural = _("daily scores per unit")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "day", "unit_path", "segment"],
                name="dashboards_unitday_one_row",
            )
        ]
        indexes = [unit_subtree_index("dashboards_unitday_subtree")]

    def __str__(self) -> str:
        return f"{self.day} {self.organisation_id} {self.unit_path} {self.segment}"


class EmployeeDayScore(Counts):
    """DailyScore summed per organisation, unit (path), employee and segment, per day: every
    journey type, channel and touchpoint together (employee None: answers about no one)."""

    DIMENSIONS = frozenset({"organisation_id", "unit_path", "employee_id", "segment"})

    day = models.DateField()
    organisation = models.ForeignKey(
        "orgs.Organisation", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    unit_path = models.CharField(max_length=500, blank=True)
    employee = models.ForeignKey(
        "orgs.Employee", null=True, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    segment = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("daily score per employee")
        verbose_name_plural = _("daily scores per employee")
        constraints = [  # one row per employee, and one for the answers about no one
            models.UniqueConstraint(
                fields=["organisation", "day", "unit_path", "employee", "segment"],
                condition=models.Q(employee__isnull=False),
                name="dashboards_employeeday_one_row",
            ),
            models.UniqueConstraint(
                fields=["organisation", "day", "unit_path", "segment"],
                condition=models.Q(employee__isnull=True),
                name="dashboards_employeeday_one_row_for_no_one",
            ),
        ]
        indexes = [
            models.Index(fields=["employee", "day"]),
            unit_subtree_index("dashboards_employeeday_subtree"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.day} {self.organisation_id} {self.unit_path} {self.employee_id} {self.segment}"
        )


class ChannelJourneyDayScore(Counts):
    """DailyScore summed per organisation, journey type and channel, per day; only rows with both
    a journey type and a channel (what channel × journey reads without a segment filter)."""

    DIMENSIONS = frozenset({"organisation_id", "journey_type_id", "channel_id"})

    day = models.DateField()
    organisation = models.ForeignKey(
        "orgs.Organisation", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    journey_type = models.ForeignKey(
        "journeys.JourneyType", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    channel = models.ForeignKey(
        "journeys.Channel", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )

    class Meta:
        verbose_name = _("daily score per channel and journey type")
        verbose_name_plural = _("daily scores per channel and journey type")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "day", "journey_type", "channel"],
                name="dashboards_channeljourneyday_one_row",
            )
        ]
        indexes = [models.Index(fields=["journey_type", "day"])]

    def __str__(self) -> str:
        return f"{self.day} {self.organisation_id} {self.journey_type_id} {self.channel_id}"
