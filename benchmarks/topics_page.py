"""Benchmark: the topics page (/text/<org>/) reading stored vectors, against embedding per request.

Before, every view of the topics page embedded up to 800 uncovered answers (the last 30 days
and the 30 before) with the e5 model to group them into emerging topics. Now the sweeper (and
`cxloop demo`) store each answer's vector once and the page reads them. This prints, for the
demo data in CXLOOP_DATA_DIR, the page's time and the time the old page spent on top of it
(embedding the same answers), alternating, and their ratio.

    cxloop migrate && cxloop demo                                    # once, in CXLOOP_DATA_DIR
    .venv/bin/python benchmarks/topics_page.py [--org leasewijs] [--repeat 5]
"""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxloop.settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--org", default="leasewijs")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.utils import timezone

    from cxloop.lib.testing.logins import logged_in
    from cxloop.orgs.models import Membership, Organisation
    from cxloop.text import embeddings, queries, services

    settings.ALLOWED_HOSTS = ["*"]
    organisation = Organisation.objects.get(slug=args.org)
    admin = (
        Membership.objects.filter(organisation=organisation, role="org_admin", unit__isnull=True)
        .select_related("user")
        .first()
    )
    if admin is None:
        sys.exit(f"no organisation admin of {args.org}: load the demo first (cxloop demo)")
    print(f"embedding method: {embeddings.kind()}")
    print(f"vectors stored now: {services.embed_recent(organisation=organisation, limit=None)}")
    client = logged_in(admin.user)
    client.get(f"/text/{args.org}/")  # warm up: imports, the model, the session

    now = timezone.now()
    start = now - timedelta(days=30)
    rows = list(
        queries.analysed_texts(organisation=organisation, since=now - timedelta(days=60), until=now)
    )
    current = [r.masked_text for r in rows if r.submitted_at >= start and not r.live_tags]
    earlier = [r.masked_text for r in rows if r.submitted_at < start and not r.live_tags]
    print(f"uncovered answers the old page embedded: {len(current[:400]) + len(earlier[:400])}")

    page, embedding = [], []
    for _ in range(args.repeat):
        started = time.perf_counter()
        assert client.get(f"/text/{args.org}/").status_code == 200
        page.append(time.perf_counter() - started)
        started = time.perf_counter()
        embeddings.embed(current[:400])
        embeddings.embed(earlier[:400])
        embedding.append(time.perf_counter() - started)
    now_s, extra = statistics.median(page), statistics.median(embedding)
    print(f"page with stored vectors (median of {args.repeat}): {now_s:.3f} s")
    print(f"old page (the same + embedding per request):     {now_s + extra:.3f} s")
    print(f"ratio old / new: {(now_s + extra) / now_s:.1f}")


if __name__ == "__main__":
    main()
