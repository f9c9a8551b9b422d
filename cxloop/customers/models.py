"""Customers: one pseudonymous identity per chain."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from cxloop.orgs.models import Chain


class Customer(models.Model):
    """A customer of the chain, known by a pseudonymous key shared by all partners."""

    class Language(models.TextChoices):
        DUTCH = "nl", "Nederlands"
        ENGLISH = "en", "English"

    chain = models.ForeignKey(Chain, on_delete=models.PROTECT, related_name="customers")
    key = models.CharField(max_length=128, help_text=_("Pseudonymous key, the same for every partner"))
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=32, blank=True)
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.DUTCH)
    segment = models.CharField(max_length=64, blank=True)
    opted_out_at = models.DateTimeField(null=True, blank=True)
    # A hard bounce or a refused number: no further attempts to that address.
    email_invalid_at = models.DateTimeField(null=True, blank=True)
    phone_invalid_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["chain", "key"], name="customer_key_per_chain")]

    def __str__(self) -> str:
        return self.key
