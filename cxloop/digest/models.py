"""Who gets the daily digest e-mail, and when it was last sent."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DigestSubscription(models.Model):
    """A user's choice about the daily digest (everyone with an employee record or a team gets it by default)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest"
    )
    enabled = models.BooleanField(default=True)
    last_sent_on = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("daily digest subscription")
        verbose_name_plural = _("daily digest subscriptions")

    def __str__(self) -> str:
        return f"digest for {self.user} ({'on' if self.enabled else 'off'})"
