"""Daily roll-ups of scores, maintained as responses arrive, so that dashboards never scan responses."""

from django.db import models
from django.utils.translation import gettext_lazy as _


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
