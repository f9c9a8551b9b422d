"""Background delivery of webhooks; safe to run twice and from several workers."""

from django_tasks import task

from cxloop.webhooks import services


@task()
def deliver_webhook_task(delivery_id: int) -> str | None:
    delivery = services.deliver(delivery_id=delivery_id)
    return delivery.status if delivery else None
