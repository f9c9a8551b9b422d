"""Customers: one pseudonymous identity per chain, and contact details per organisation that supplied them."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from cxloop.orgs.models import Chain, Organisation


class Customer(models.Model):
    """A customer of the chain, known by a pseudonymous key shared by all partners."""

    class Language(models.TextChoices):
        DUTCH = "nl", "Nederlands"
        ENGLISH = "en", "English"

    # No index of its own: the unique (chain, key) leads with it.
    chain = models.ForeignKey(
        Chain, on_delete=models.PROTECT, related_name="customers", db_index=False
    )
    key = models.CharField(
        max_length=128, help_text=_("Pseudonymous key, the same for every partner")
    )
    # Details without a known supplier: recorded before contact details were kept per organisation
    # (migration 0003), or by the demo or an administrator. No API key or import changes them; an
    # organisation's own CustomerContact comes first (customers/contacts.py).
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=32, blank=True)
    # The language the first supplier gave; each organisation's own choice is on its CustomerContact.
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.DUTCH)
    segment = models.CharField(max_length=64, blank=True)
    opted_out_at = models.DateTimeField(null=True, blank=True)
    # A hard bounce or a refused number: no further attempts to that address.
    email_invalid_at = models.DateTimeField(null=True, blank=True)
    phone_invalid_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        constraints = [
            models.UniqueConstraint(fields=["chain", "key"], name="customer_key_per_chain")
        ]

    def __str__(self) -> str:
        return self.key


class CustomerContact(models.Model):
    """A customer's contact details as one organisation supplied them; that organisation's messages use them."""

    class Source(models.TextChoices):
        API = "api", _("API")
        IMPORT = "import", _("file import")
        STAFF = "staff", _("staff")

    # Neither has an index of its own. one_contact_per_customer_and_org leads with the customer.
    # An index on the organisation alone served only the rare deletion of an organisation, and
    # on a young table's statistics the planner chose it over the unique index for a batch's
    # lookups by customer: it read all the organisation's records for each customer.
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="contacts", db_index=False
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="customer_contacts", db_index=False
    )
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=32, blank=True)
    name = models.CharField(max_length=200, blank=True)
    licence_plate = models.CharField(max_length=16, blank=True)
    # The phone number and the plate written one way (customers/normalise.py), for finding a
    # customer however the number or plate is typed; kept in step by customers.services.
    # Found by equality only: plain indexes (Meta), without the LIKE twins db_index would add.
    phone_key = models.CharField(max_length=32, blank=True)
    plate_key = models.CharField(max_length=16, blank=True)
    language = models.CharField(max_length=2, choices=Customer.Language.choices, blank=True)
    # A bounce marks the address that bounced; a new address starts without the mark.
    email_invalid_at = models.DateTimeField(null=True, blank=True)
    phone_invalid_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.API)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("customer's contact details")
        verbose_name_plural = _("customers' contact details")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "organisation"], name="one_contact_per_customer_and_org"
            )
        ]
        indexes = [
            models.Index(fields=["phone_key"], name="contact_phone_key"),
            models.Index(fields=["plate_key"], name="contact_plate_key"),
        ]

    def __str__(self) -> str:
        return f"contact details of customer {self.customer_id} from organisation {self.organisation_id}"


class ContactSharing(models.Model):
    """The chain's rule on whose contact details an organisation without its own may use.

    Absent or off (the default): an organisation uses only the details it supplied itself.
    """

    chain = models.OneToOneField(Chain, on_delete=models.CASCADE, related_name="contact_sharing")
    partners_use_owner_details = models.BooleanField(
        default=False,
        help_text=_(
            "A partner without its own e-mail address or phone number of a customer may use those the journey "
            "owner supplied, for messages about the owner's journeys"
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("sharing of contact details")
        verbose_name_plural = _("sharings of contact details")

    def __str__(self) -> str:
        return f"contact sharing of chain {self.chain_id}"
