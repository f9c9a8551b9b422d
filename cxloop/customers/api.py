"""API: a customer's global opt-out, for every partner of the chain."""

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.decorators import decorate_view

from cxloop.customers.models import Customer
from cxloop.customers.services import opt_out_customer
from cxloop.lib.ratelimit import limit_per_client
from cxloop.orgs.models import ApiKey

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
