"""Accuracy, macro-F1 and speed of cxloop's Dutch text analytics on a labelled JSONL file.

    python benchmarks/text_benchmark.py FILE.jsonl [FILE.jsonl ...]

Each line holds `text` and `label` (positive, neutral or negative); a `topics` list and a
`language` are scored too when present. Without a file it runs on the set written for the
tests (cxloop/text/tests/data/nl_feedback.jsonl). Runs without Django settings or a database.
"""

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cxloop.text.pipeline import analyse_text  # noqa: E402

LABELS = ("positive", "neutral", "negative")
DEFAULT = ROOT / "cxloop" / "text" / "tests" / "data" / "nl_feedback.jsonl"


def macro_f1(pairs: list[tuple[str, str]], labels: tuple[str, ...] = LABELS) -> float:
    """Mean F1 over the labels that occur in the gold or predicted labels."""
    scores = []
    for label in labels:
        tp = sum(1 for gold, got in pairs if gold == label and got == label)
        fp = sum(1 for gold, got in pairs if gold != label and got == label)
        fn = sum(1 for gold, got in pairs if gold == label and got != label)
        if tp + fp + fn:
            scores.append(2 * tp / (2 * tp + fp + fn))
    return sum(scores) / len(scores) if scores else 0.0


def run(path: Path, *, show_errors: int) -> dict[str, object]:
    rows = [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    started = time.perf_counter()
    results = [analyse_text(row["text"]) for row in rows]
    elapsed = time.perf_counter() - started
    report: dict[str, object] = {
        "file": str(path),
        "n": len(rows),
        "lines_per_second": round(len(rows) / elapsed, 1),
    }
    labelled = [
        (row["label"], result.sentiment, row["text"])
        for row, result in zip(rows, results, strict=True)
        if "label" in row
    ]
    if labelled:
        pairs = [(gold, got) for gold, got, _ in labelled]
        report["sentiment_accuracy"] = round(sum(g == p for g, p in pairs) / len(pairs), 4)
        report["sentiment_macro_f1"] = round(macro_f1(pairs), 4)
        report["confusion"] = {f"{g}->{p}": c for (g, p), c in sorted(Counter(pairs).items())}
        report["errors"] = [f"{g} -> {p}: {t}" for g, p, t in labelled if g != p][:show_errors]
    with_topics = [
        (set(row["topics"]), set(result.topics))
        for row, result in zip(rows, results, strict=True)
        if "topics" in row
    ]
    if with_topics:
        tp = sum(len(g & p) for g, p in with_topics)
        fp = sum(len(p - g) for g, p in with_topics)
        fn = sum(len(g - p) for g, p in with_topics)
        report["topics_micro_precision"] = round(tp / (tp + fp), 4) if tp + fp else None
        report["topics_micro_recall"] = round(tp / (tp + fn), 4) if tp + fn else None
        report["topics_micro_f1"] = round(2 * tp / (2 * tp + fp + fn), 4) if tp else 0.0
    with_language = [
        (row["language"], result.language)
        for row, result in zip(rows, results, strict=True)
        if "language" in row
    ]
    if with_language:
        report["language_accuracy"] = round(
            sum(g == p for g, p in with_language) / len(with_language), 4
        )
    return report


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("files", nargs="*", type=Path, default=[DEFAULT])
    parser.add_argument("--errors", type=int, default=0, help="print this many misclassified lines")
    args = parser.parse_args()
    for path in args.files:
        print(json.dumps(run(path, show_errors=args.errors), ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
