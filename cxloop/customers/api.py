"""API: a customer as your organisation knows them (read, upsert your contact details), the
global opt-out for every partner of the chain, and access and erasure requests."""

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.decorators import decorate_view

from cxloop.customers import services as customer_services
from cxloop.customers.models import Customer, CustomerContact
from cxloop.customers.services import opt_out_customer
from cxloop.lib.apierrors import ErrorOut, refuse
from cxloop.lib.ratelimit import limit_per_client
from cxloop.orgs.access import api_key_of
from cxloop.privacy import queries, services
from cxloop.privacy.api import CustomerExportOut, ErasureReceiptOut

router = Router()


class ContactIn(Schema):
    """Your organisation's contact details of the customer; an empty field leaves the one you gave before."""

    email: str = Field("", max_length=254, pattern=r"^$|^[^@\s]+@[^@\s]+\.[^@\s]+$")
    phone: str = Field("", max_length=32)
    language: str = Field("", pattern=r"^(|nl|en)$")
    name: str = Field("", max_length=200)
    licence_plate: str = Field("", max_length=16)


class ContactOut(Schema):
    email: str
    phone: str
    language: str
    name: str
    licence_plate: str
    email_invalid: bool = Field(description="Mail to it bounced")
    phone_invalid: bool


class CustomerOut(Schema):
    key: str
    opted_out_at: datetime | None = Field(
        description="Asked for no more feedback requests (chain-wide)"
    )
    contact: ContactOut | None = Field(description="Your organisation's details; never another's")


def _customer_out(customer: Customer, organisation) -> dict:
    contact = CustomerContact.objects.filter(customer=customer, organisation=organisation).first()
    return {
        "key": customer.key,
        "opted_out_at": customer.opted_out_at,
        "contact": {
            "email": contact.email,
            "phone": contact.phone,
            "language": contact.language,
            "name": contact.name,
            "licence_plate": contact.licence_plate,
            "email_invalid": contact.email_invalid_at is not None,
            "phone_invalid": contact.phone_invalid_at is not None,
        }
        if contact
        else None,
    }


@router.get("/{key}", response={200: CustomerOut, 404: ErrorOut}, operation_id="customers_read")
def read_customer(request: HttpRequest, key: str):
    """A customer your organisation holds data about, with your own contact details of them."""
    api_key = api_key_of(request)
    customer = queries.customer_for(organisation=api_key.organisation, key=key)
    if customer is None:
        return refuse(404, "your organisation holds no data about a customer with this key")
    return Status(200, _customer_out(customer, api_key.organisation))


@router.put(
    "/{key}",
    response={200: CustomerOut, 201: CustomerOut, 422: ErrorOut},
    operation_id="customers_upsert",
)
def upsert_customer(request: HttpRequest, key: str, payload: ContactIn):
    """Create the customer in your chain by the chain's key if new (201), and keep your contact
    details of them (200 for a known customer); every change is in the audit log."""
    api_key = api_key_of(request)
    organisation = api_key.organisation
    if not key.strip() or len(key) > 128 or "\x00" in key:
        return refuse(422, "the customer key is empty, too long or not text", {"key": ["invalid"]})
    customer, created = customer_services.upsert_customer(
        organisation=organisation, key=key, actor=api_key, details=payload.dict()
    )
    return Status(201 if created else 200, _customer_out(customer, organisation))


class OptOutOut(Schema):
    key: str
    opted_out_at: datetime


@router.post(
    "/{key}/opt-out", response={200: OptOutOut, 404: ErrorOut}, operation_id="customers_opt_out"
)
@decorate_view(limit_per_client("opt-out-api", "CXLOOP_RATELIMIT_OPT_OUT_API", api=True))
def post_opt_out(request: HttpRequest, key: str):
    """Record that the customer wants no more feedback requests from any organisation of your chain."""
    api_key = api_key_of(request)
    customer = Customer.objects.filter(chain_id=api_key.organisation.chain_id, key=key).first()
    if customer is None:
        return refuse(404, "no customer with this key in your chain")
    customer = opt_out_customer(customer=customer, actor=api_key)
    return Status(200, {"key": customer.key, "opted_out_at": customer.opted_out_at})


@router.get(
    "/{key}/export",
    response={200: CustomerExportOut, 404: ErrorOut},
    operation_id="customers_export",
)
def get_export(request: HttpRequest, key: str):
    """Everything your organisation holds about the customer (access request); the export is audited."""
    api_key = api_key_of(request)
    customer = queries.customer_for(organisation=api_key.organisation, key=key)
    if customer is None:
        return refuse(404, "your organisation holds no data about a customer with this key")
    services.record_customer_access(
        actor=api_key,
        organisation=api_key.organisation,
        customer=customer,
        action="customer.exported",
        export=True,
    )
    return Status(
        200, queries.customer_export(organisation=api_key.organisation, customer=customer)
    )


@router.post(
    "/{key}/erase", response={200: ErasureReceiptOut, 404: ErrorOut}, operation_id="customers_erase"
)
def post_erase(request: HttpRequest, key: str):
    """Erase the customer from the whole chain (erasure request); answers with the receipt."""
    api_key = api_key_of(request)
    customer = queries.customer_for(organisation=api_key.organisation, key=key)
    if customer is None:
        return refuse(404, "your organisation holds no data about a customer with this key")
    receipt = services.erase_customer(
        organisation=api_key.organisation, customer=customer, actor=api_key
    )
    return Status(
        200,
        {
            "receipt": receipt.pk,
            "erased_at": receipt.erased_at,
            "organisation": api_key.organisation.slug,
            "customer_hash": receipt.customer_hash,
            "counts": receipt.counts,
        },
    )
