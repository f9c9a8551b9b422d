"""Employee survey results (eNPS and item scores) per unit and period, and their imports."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cxloop.orgs.models import Organisation, Unit


class EmployeeSurveyImport(models.Model):
    """History: one CSV of employee survey results, who imported it and what it held."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="employee_survey_imports"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    filename = models.CharField(max_length=200, blank=True)
    rows = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("employee survey import")
        verbose_name_plural = _("employee survey imports")

    def __str__(self) -> str:
        return f"{self.filename} ({self.rows} rows)"


class EmployeeSurveyResult(models.Model):
    """A unit's employee survey in one period: eNPS counts and item scores."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="employee_survey_results"
    )
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="employee_survey_results")
    period_start = models.DateField()
    period_end = models.DateField()
    promoters = models.PositiveIntegerField(default=0)
    passives = models.PositiveIntegerField(default=0)
    detractors = models.PositiveIntegerField(default=0)
    items = models.JSONField(default=dict, blank=True)  # {"werkdruk": 3.4, ...}
    source = models.ForeignKey(
        EmployeeSurveyImport,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="results",
    )

    class Meta:
        verbose_name = _("employee survey result")
        verbose_name_plural = _("employee survey results")
        ordering = ["-period_end", "unit__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "period_start", "period_end"], name="one_result_per_unit_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.period_start}–{self.period_end}: eNPS {self.enps}"

    @property
    def respondents(self) -> int:
        return self.promoters + self.passives + self.detractors

    @property
    def enps(self) -> float | None:
        n = self.respondents
        return 100 * (self.promoters - self.detractors) / n if n else None
