"""`cxloop privacy`: export or erase a customer for an organisation, and apply retention."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.serializers.json import DjangoJSONEncoder

from cxloop.orgs.models import Organisation
from cxloop.privacy import queries, services


class Command(BaseCommand):
    help = (
        "Export everything an organisation holds about a customer as JSON, erase a customer from "
        "the whole chain (with a receipt), or apply the organisations' retention periods now."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        export = actions.add_parser("export", help="print the customer's data as JSON")
        erase = actions.add_parser("erase", help="erase the customer from the whole chain")
        for sub in (export, erase):
            sub.add_argument(
                "--organisation", required=True, help="slug of the organisation you act for"
            )
            sub.add_argument("--customer", required=True, help="the customer key")
        erase.add_argument(
            "--yes", action="store_true", help="really erase (without it: show what would go)"
        )
        purge = actions.add_parser(
            "purge", help="apply retention now (the sweeper does this daily)"
        )
        purge.add_argument("--organisation", help="only this organisation")
        purge.add_argument(
            "--dry-run", action="store_true", help="count what would be blanked, change nothing"
        )

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "purge":
            return self._purge(options.get("organisation"), dry_run=options["dry_run"])
        organisation = _organisation(options["organisation"])
        customer = queries.customer_for(organisation=organisation, key=options["customer"])
        if customer is None:
            raise CommandError(f"{organisation.slug} holds no data about a customer with this key")
        if action == "export":
            services.record_customer_access(
                actor=None,
                organisation=organisation,
                customer=customer,
                action="customer.exported",
                export=True,
            )
            document = queries.customer_export(organisation=organisation, customer=customer)
            self.stdout.write(
                json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
            )
            return None
        if not options["yes"]:
            counts = queries.erasure_plan(customer=customer).counts()
            self.stdout.write(json.dumps({"would_erase": counts}, indent=2))
            raise CommandError(
                "nothing erased: add --yes to erase this customer from the whole chain"
            )
        receipt = services.erase_customer(organisation=organisation, customer=customer, actor=None)
        self.stdout.write(json.dumps(_receipt(receipt), cls=DjangoJSONEncoder, indent=2))
        return None

    def _purge(self, slug: str | None, *, dry_run: bool) -> None:
        organisation = _organisation(slug) if slug else None
        results = services.purge(organisation=organisation, dry_run=dry_run)
        verb = "would blank" if dry_run else "blanked"
        for target, counts in results:
            name = target.slug if target else "(no organisation)"
            parts = ", ".join(f"{key} {value}" for key, value in counts.items())
            self.stdout.write(f"{name}: {verb} {parts}")


def _organisation(slug: str) -> Organisation:
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        raise CommandError(f"no organisation {slug!r}")
    return organisation


def _receipt(receipt) -> dict[str, Any]:
    return {
        "receipt": receipt.pk,
        "erased_at": receipt.erased_at,
        "organisation": receipt.organisation.slug,
        "customer_hash": receipt.customer_hash,
        "counts": receipt.counts,
    }
