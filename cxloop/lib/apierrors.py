"""The API's one error shape, used by every operation for every refusal (docs/api.md).

`detail` says what went wrong in a sentence; `errors` names, per field (`items.3.customer.email`)
or per batch item (`3`), what to fix. Clients generated from the OpenAPI document read every
error with this one schema.
"""

from ninja import Schema, Status


class ErrorOut(Schema):
    """A refused request: what went wrong, and per field or item what to fix."""

    detail: str
    errors: dict[str, list[str]] = {}


def refuse(status: int, detail: str, errors: dict | None = None) -> Status:
    """An error answer in the one shape; `errors` keys may be ints (batch items) or field paths."""
    return Status(
        status, {"detail": detail, "errors": {str(k): v for k, v in (errors or {}).items()}}
    )
