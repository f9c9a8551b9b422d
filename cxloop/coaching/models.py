"""Coaching notes: a lead's words to an employee about their feedback, visible to that employee."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CoachingNote(models.Model):
    """A note from a lead to one employee, optionally about one response."""

    employee = models.ForeignKey(
        "orgs.Employee", on_delete=models.CASCADE, related_name="coaching_notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    response = models.ForeignKey(
        "responses.Response", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("coaching note")
        verbose_name_plural = _("coaching notes")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"note for {self.employee} ({self.created_at:%Y-%m-%d})"
