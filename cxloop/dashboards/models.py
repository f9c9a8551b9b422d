"""Daily roll-ups of scores, maintained as responses arrive, so that dashboards never scan responses.

DailyScore holds every dimension a filter may ask for (one row per day and combination of
organisation, unit, employee, journey type, channel, touchpoint and segment): on busy data it is
hardly smaller than the responses. The two compact roll-ups below are sums of DailyScore rows
over fewer dimensions, for the reads that need no more (a few rows per unit, or per channel and
journey type, and day, however many responses): unit trees and trends, and channel × journey.
`rollups` keeps all three in step; `queries.base.rollups_for` picks the smallest that can answer.
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


class DailyScore(models.Model):
    """Counts of one day's responses for one combination of organisation, unit, employee,
    journey type, channel, touchpoint and segment."""

    key = models.CharField(max_length=200, unique=True)
    day = models.DateField(db_index=True)
    organisation = models.ForeignKey(
        "orgs.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey("orgs.Unit", null=True, on_delete=models.CASCADE, related_name="+")
    unit_path = models.CharField(max_length=500, blank=True, db_index=True)
    employee = models.ForeignKey(
        "orgs.Employee", null=True, on_delete=models.CASCADE, related_name="+"
    )
    journey_type = models.ForeignKey(
        "journeys.JourneyType", null=True, on_delete=models.CASCADE, related_name="+"
    )
    channel = models.ForeignKey(
        "journeys.Channel", null=True, on_delete=models.CASCADE, related_name="+"
    )
    touchpoint = models.ForeignKey(
        "journeys.Touchpoint", null=True, on_delete=models.CASCADE, related_name="+"
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
        indexes = [
            models.Index(fields=["organisation", "day"]),
            models.Index(fields=["employee", "day"]),
        ]

    def __str__(self) -> str:
        return self.key


class UnitDayScore(Counts):
    """DailyScore summed per organisation, unit (path) and segment, per day: every employee,
    journey type, channel and touchpoint together (unit_path "" holds what no unit answered for)."""

    DIMENSIONS = frozenset({"organisation_id", "unit_path", "segment"})

    day = models.DateField()
    organisation = models.ForeignKey(
        "orgs.Organisation", on_delete=models.CASCADE, related_name="+"
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
        indexes = [models.Index(fields=["unit_path", "day"])]

    def __str__(self) -> str:
        return f"{self.day} {self.organisation_id} {self.unit_path} {self.segment}"


class ChannelJourneyDayScore(Counts):
    """DailyScore summed per organisation, journey type, channel and segment, per day; only rows
    with both a journey type and a channel (what channel × journey reads)."""

    DIMENSIONS = frozenset({"organisation_id", "journey_type_id", "channel_id", "segment"})

    day = models.DateField()
    organisation = models.ForeignKey(
        "orgs.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    journey_type = models.ForeignKey(
        "journeys.JourneyType", on_delete=models.CASCADE, related_name="+"
    )
    channel = models.ForeignKey("journeys.Channel", on_delete=models.CASCADE, related_name="+")
    segment = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("daily score per channel and journey type")
        verbose_name_plural = _("daily scores per channel and journey type")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "day", "journey_type", "channel", "segment"],
                name="dashboards_channeljourneyday_one_row",
            )
        ]
        indexes = [models.Index(fields=["journey_type", "day"])]

    def __str__(self) -> str:
        return f"{self.day} {self.organisation_id} {self.journey_type_id} {self.channel_id} {self.segment}"
