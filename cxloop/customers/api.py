"""API: a customer's global opt-out, for every partner of the chain; access and erasure requests."""

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.decorators import decorate_view

from cxloop.customers.models import Customer
from cxloop.customers.services import opt_out_customer
from cxloop.lib.ratelimit import limit_per_client
from cxloop.orgs.models import ApiKey
from cxloop.privacy import queries, services
from cxloop.privacy.api import CustomerExportOut, ErasureReceiptOut

router = Router()


class OptOutOut(Schema):
    key: str
    opted_out_at: datetime


class DetailOut(Schema):
    detail: str


@router.post("/{key}/opt-out", response={200: OptOutOut, 404: DetailOut})
@decorate_view(limit_per_client("opt-out-api", "CXLOOP_RATELIMIT_OPT_OUT_API", api=True))
def post_opt_out(request: HttpRequest, key: str):
    """Record that the customer wants no more feedback requests from any organisation of your chain."""
    api_key: ApiKey = request.auth  # type: ignore[attr-defined]
    customer = Customer.objects.filter(chain_id=api_key.organisation.chain_id, key=key).first()
    if customer is None:
        return Status(404, {"detail": "no customer with this key in your chain"})
    customer = opt_out_customer(customer=customer, actor=api_key)
    return Status(200, {"key": customer.key, "opted_out_at": customer.opted_out_at})


@router.get("/{key}/export", response={200: CustomerExportOut, 404: DetailOut})
def get_export(request: HttpRequest, key: str):
    """Everything your organisation holds about the customer (access request); the export is audited."""
    api_key: ApiKey = request.auth  # type: ignore[attr-defined]
    customer = queries.customer_for(organisation=api_key.organisation, key=key)
    if customer is None:
        return Status(
            404, {"detail": "your organisation holds no data about a customer with this key"}
        )
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


@router.post("/{key}/erase", response={200: ErasureReceiptOut, 404: DetailOut})
def post_erase(request: HttpRequest, key: str):
    """Erase the customer from the whole chain (erasure request); answers with the receipt."""
    api_key: ApiKey = request.auth  # type: ignore[attr-defined]
    customer = queries.customer_for(organisation=api_key.organisation, key=key)
    if customer is None:
        return Status(
            404, {"detail": "your organisation holds no data about a customer with this key"}
        )
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
