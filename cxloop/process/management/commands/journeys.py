"""`cxloop journeys analyze LOG` and `cxloop journeys import LOG`: process analysis of event logs."""

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cxloop.orgs.models import Organisation
from cxloop.process import mining, services
from cxloop.process.readers import Columns, LogFormatError, ReadReport, read_events


class Command(BaseCommand):
    help = "Analyse an XES or CSV event log (analyze) or import one as a dataset for the web pages (import)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{analyze,import}")
        analyze = actions.add_parser(
            "analyze", help="print variants, DFG, hand-overs and durations of a log"
        )
        analyze.add_argument(
            "--json", action="store_true", help="print one JSON document (cxloop/process/README.md)"
        )
        analyze.add_argument(
            "--top", type=int, default=10, help="variants and edges in the text summary"
        )
        imported = actions.add_parser(
            "import", help="store a log as an analysable dataset of an organisation"
        )
        imported.add_argument(
            "--organisation", required=True, help="slug of the organisation that owns the log"
        )
        imported.add_argument(
            "--name", default="", help="name shown in the web pages (default: the file name)"
        )
        for sub in (analyze, imported):
            _column_arguments(sub)

    def handle(self, *args: Any, action: str, log: Path, **options: Any) -> None:
        if not log.is_file():
            raise CommandError(f"{log} is not a file")
        columns = Columns(
            case=options["case"],
            activity=options["activity"],
            timestamp=options["timestamp"],
            resource=options["resource"] or None,
            organisation=options["organisation_column"],
            separator=options["sep"],
            timestamp_format=options["timestamp_format"],
        )
        if action == "analyze":
            self._analyze(log, columns, as_json=options["json"], top=options["top"])
        else:
            self._import(log, columns, organisation=options["organisation"], name=options["name"])

    def _analyze(self, path: Path, columns: Columns, *, as_json: bool, top: int) -> None:
        report = ReadReport()
        builder = mining.EventTableBuilder()
        events = read_events(path, columns, report, progress=self._progress)
        try:
            builder.extend(events)
        except (LogFormatError, UnicodeDecodeError, EOFError, OSError) as error:
            raise CommandError(f"{path}: {error}") from None
        self._progress(report, done=True)
        document = mining.analyse(builder.build())
        document["bad_rows"] = {
            "count": report.bad_count,
            "rows": [[r.line, r.reason] for r in report.bad_rows],
        }
        document["warnings"] = report.warnings
        self._report_bad_rows(report)
        if as_json:
            self.stdout.write(json.dumps(document, ensure_ascii=False))
        else:
            self.stdout.write(_summary(document, top))

    def _import(self, path: Path, columns: Columns, *, organisation: str, name: str) -> None:
        org = Organisation.objects.filter(slug=organisation).first()
        if org is None:
            raise CommandError(f"no organisation with slug {organisation!r}")
        try:
            log = services.create_event_log(
                organisation=org, name=name or path.name, file_name=path.name, columns=columns
            )
            report = services.import_events(log=log, path=path, progress=self._progress)
        except LogFormatError as error:
            raise CommandError(f"{path}: {error}") from None
        self._progress(report, done=True)
        self._report_bad_rows(report)
        log.refresh_from_db()
        self.stdout.write(
            self.style.SUCCESS(
                f"event log {log.pk} ({log.name!r}): {log.events} events in {log.cases} cases imported, "
                f"{log.bad_count} bad row(s) left out"
            )
        )

    def _progress(self, report: ReadReport, done: bool = False) -> None:
        # One line rewritten in place on a terminal; nothing in pipes, so JSON on stdout stays clean.
        if not sys.stderr.isatty():
            return
        end = "\n" if done else ""
        self.stderr.write(
            f"\rread {report.events:,} events, {report.bad_count:,} bad row(s) ({report.fraction:.0%})",
            ending=end,
        )
        self.stderr.flush()

    def _report_bad_rows(self, report: ReadReport) -> None:
        for row in report.bad_rows:
            self.stderr.write(f"line {row.line}: {row.reason}")
        if report.bad_count > len(report.bad_rows):
            self.stderr.write(f"... and {report.bad_count - len(report.bad_rows)} more bad row(s)")
        for warning in report.warnings:
            self.stderr.write(f"warning: {warning}")
        if report.read_by_rows:
            self.stderr.write(f"note: read row by row, which is slower: {report.read_by_rows}")


def _column_arguments(parser: CommandParser) -> None:
    parser.add_argument("log", type=Path, help=".xes, .xes.gz, .csv or .csv.gz")
    parser.add_argument(
        "--case", default="case:concept:name", help="case id column (CSV) or attribute"
    )
    parser.add_argument("--activity", default="concept:name", help="activity column or attribute")
    parser.add_argument(
        "--timestamp", default="time:timestamp", help="timestamp column or attribute"
    )
    parser.add_argument(
        "--resource", default="org:resource", help="resource column or attribute ('' for none)"
    )
    parser.add_argument(
        "--organisation-column", default=None, help="organisation column or attribute, if any"
    )
    parser.add_argument(
        "--sep", default=None, help="CSV separator (detected from the header when absent)"
    )
    parser.add_argument(
        "--timestamp-format",
        default=None,
        help="strftime format of CSV timestamps (ISO 8601 when absent; no zone = UTC)",
    )


def _summary(document: dict[str, Any], top: int) -> str:
    durations = document["case_duration_seconds"]
    lines = [
        f"{document['cases']:,} cases, {document['events']:,} events, {len(document['variants']):,} variants",
        "case duration (days): median {} · p25 {} · p75 {} · p90 {}".format(
            *(_days(durations[k]) for k in ("median", "p25", "p75", "p90"))
        ),
        "",
        "most frequent variants:",
    ]
    lines += [
        f"  {v['count']:>7,}  {' → '.join(v['activities'])}" for v in document["variants"][:top]
    ]
    lines += ["", "most frequent steps (mean / median days between):"]
    lines += [
        f"  {e['frequency']:>7,}  {e['source']} → {e['target']}  ({_days(e['mean_seconds'])} / {_days(e['median_seconds'])})"
        for e in document["dfg"][:top]
    ]
    lines += ["", "most frequent hand-overs to someone else:"]
    lines += [
        f"  {h['count']:>7,}  {h['source']} → {h['target']}"
        for h in document["handover_without_self"][:top]
    ]
    return "\n".join(lines)


def _days(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds / 86400:.2f}"
