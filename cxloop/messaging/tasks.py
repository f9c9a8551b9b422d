"""Background delivery of outbox messages; safe to run twice and from several workers."""

from django_tasks import task

from cxloop.messaging import services


@task()
def deliver_message_task(message_id: int) -> str | None:
    message = services.deliver_message(message_id=message_id)
    return message.status if message else None


@task()
def deliver_messages_task(message_ids: list[int]) -> int:
    handled = services.deliver_messages(message_ids=message_ids)
    return sum(message.status == message.Status.SENT for message in handled)
