"""API: a customer's global opt-out, for every partner of the chain; access and erasure requests."""

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.decorators import decorate_view

from cxloop.customers.models import Customer
from cxloop.customers.services import opt_out_customer
from cxloop.lib.apierrors import ErrorOut, refuse
from cxloop.lib.ratelimit import limit_per_client
from cxloop.orgs.models import ApiKey
from cxloop.privacy import queries, services
from cxloop.privacy.api import CustomerExportOut, ErasureReceiptOut

router = Router()


class OptOutOut(Schema):
    key: str
    opted_out_at: datetime


@router.post("/{key}/opt-out", response={200: OptOutOut, 404: ErrorOut}, operation_id="customers_opt_out")
@decorate_view(limit_per_client("opt-out-api", "CXLOOP_RATELIMIT_OPT_OUT_API", api=True))
def post_opt_out(request: HttpRequest, key: str):
    """Record that the customer wants no more feedback requests from any organisation of your chain."""
    api_key: ApiKey = request.auth  # type: ignore[attr-defined]
    customer = Customer.objects.filter(chain_id=api_key.organisation.chain_id, key=key).first()
    if customer is None:
        return refuse(404, "no customer with this key in your chain")
    customer = opt_out_customer(customer=customer, actor=api_key)
    return Status(200, {"key": customer.key, "opted_out_at": customer.opted_out_at})


@router.get("/{key}/export", response={200: CustomerExportOut, 404: ErrorOut}, operation_id="customers_export")
def get_export(request: HttpRequest, key: str):
    """Everything your organisation holds about the customer (access request); the export is audited."""
    api_key: ApiKey = request.auth  # type: ignore[attr-defined]
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


@router.post("/{key}/erase", response={200: ErasureReceiptOut, 404: ErrorOut}, operation_id="customers_erase")
def post_erase(request: HttpRequest, key: str):
    """Erase the customer from the whole chain (erasure request); answers with the receipt."""
    api_key: ApiKey = request.auth  # type: ignore[attr-defined]
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
