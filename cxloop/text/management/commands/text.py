"""`cxloop text analyze FILE.jsonl --json`, `cxloop text backfill ORG`, `cxloop text train ORG`."""

import json
import sys
import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cxloop.text.pipeline import analyse_texts

BATCH = 64  # lines embedded together (the e5 model is fastest on batches)


class Command(BaseCommand):
    help = "Dutch text analytics: analyse a JSONL file, analyse stored answers, train an organisation's classifiers"

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        analyze = sub.add_parser(
            "analyze", help="read JSONL lines with a `text` field, write them back analysed"
        )
        analyze.add_argument("file", help="a JSONL file, or - for standard input")
        analyze.add_argument(
            "--json", action="store_true", help="write JSONL (the default and only format)"
        )
        analyze.add_argument(
            "--details", action="store_true", help="also write clauses and the masked text"
        )
        backfill = sub.add_parser(
            "backfill", help="analyse every stored answer of an organisation not yet analysed"
        )
        backfill.add_argument("organisation", help="the organisation's slug")
        train = sub.add_parser(
            "train", help="train an organisation's topic and sentiment classifiers"
        )
        train.add_argument("organisation", help="the organisation's slug")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "analyze":
            self._analyze(options["file"], details=options["details"])
        elif action == "backfill":
            from cxloop.text import services

            count = services.analyse_pending(
                organisation=_organisation(options["organisation"]), limit=None
            )
            self.stdout.write(f"analysed {count} responses")
        elif action == "train":
            from cxloop.text import services

            for model in services.train_classifiers(
                organisation=_organisation(options["organisation"])
            ):
                self.stdout.write(
                    f"{model.kind}: {model.n_examples} examples, in use: {model.in_use}, {model.metrics}"
                )

    def _analyze(self, path: str, *, details: bool) -> None:
        stream = sys.stdin if path == "-" else open(path, encoding="utf-8")  # noqa: SIM115
        started, count, batch = time.perf_counter(), 0, []
        with stream:
            for number, line in enumerate(stream, start=1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as error:
                    raise CommandError(f"line {number}: not JSON ({error})") from error
                if not isinstance(row, dict) or not isinstance(row.get("text"), str):
                    raise CommandError(f"line {number}: no `text` field")
                batch.append(row)
                if len(batch) == BATCH:
                    count += self._write(batch, details=details)
                    batch = []
            count += self._write(batch, details=details)
        elapsed = time.perf_counter() - started
        self.stderr.write(
            f"{count} lines in {elapsed:.2f} s ({count / elapsed if elapsed else 0:.0f} lines/s)"
        )

    def _write(self, rows: list[dict[str, Any]], *, details: bool) -> int:
        for row, result in zip(rows, analyse_texts([r["text"] for r in rows]), strict=True):
            row.update(
                language=result.language,
                sentiment=result.sentiment,
                sentiment_score=result.score,
                topics=result.topics,
            )
            if details:
                row.update(
                    masked=result.masked,
                    pii=result.pii,
                    mixed=result.mixed,
                    clauses=result.clauses,
                    lexicon_score=result.lexicon_score,
                    method=result.method,
                )
            self.stdout.write(json.dumps(row, ensure_ascii=False))
        return len(rows)


def _organisation(slug: str):
    from cxloop.orgs.models import Organisation

    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        raise CommandError(f"no organisation {slug!r}")
    return organisation
