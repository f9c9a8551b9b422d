"""Accuracy, macro-F1, coverage and speed of cxloop's Dutch text analytics on labelled JSONL files.

    python benchmarks/text_benchmark.py [FILE.jsonl ...] [--errors N]

Each line holds `text` and `label` (positive, neutral or negative); a `topics` list and a
`language` are scored too when present. Without a file it runs on our own evaluation sets,
dev (tuned on) and held-out (never tuned on): cxloop/text/tests/data/eval_*.jsonl.

Sentiment figures, for the pipeline and, measured in the same run, the lexicon alone and the
e5 zero-shot alone:
- pos/neg accuracy: on texts labelled positive or negative, the sign of `sentiment_score`
  (a score of exactly 0 decides nothing and counts as wrong);
- zero share: the share of those polar texts scored exactly 0;
- macro-F1 of the 3-class `sentiment` label; coverage: the share of all texts not scored 0;
- lines/s: the pipeline over the file in batches of 64 (model loaded beforehand).
Runs without Django settings or a database.
"""

import argparse
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cxloop.text import polarity  # noqa: E402
from cxloop.text.pipeline import analyse_texts  # noqa: E402
from cxloop.text.sentiment import label_for  # noqa: E402

LABELS = ("positive", "neutral", "negative")
DATA = ROOT / "cxloop" / "text" / "tests" / "data"
DEFAULT = [DATA / "eval_dev.jsonl", DATA / "eval_heldout.jsonl"]
BATCH = 64


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


def sentiment_figures(golds: list[str], scores: list[float], labels: list[str]) -> dict:
    """pos/neg accuracy by the sign of the score, share of polar texts at 0, macro-F1, coverage."""
    polar = [(g, s) for g, s in zip(golds, scores, strict=True) if g != "neutral"]
    right = sum((s > 0) if g == "positive" else (s < 0) for g, s in polar)
    return {
        "posneg_accuracy": round(right / len(polar), 4) if polar else None,
        "polar_zero_share": round(sum(s == 0 for _, s in polar) / len(polar), 4) if polar else None,
        "macro_f1": round(macro_f1(list(zip(golds, labels, strict=True))), 4),
        "coverage": round(sum(s != 0 for s in scores) / len(scores), 4) if scores else None,
    }


def run(path: Path, *, show_errors: int) -> dict[str, object]:
    rows = [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    texts = [row["text"] for row in rows]
    analyse_texts(texts[:BATCH])  # load the model and the anchors outside the timing
    started, cpu_started = time.perf_counter(), time.process_time()
    results = [r for i in range(0, len(texts), BATCH) for r in analyse_texts(texts[i : i + BATCH])]
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    report: dict[str, object] = {
        "file": str(path),
        "n": len(rows),
        "lines_per_second": round(len(rows) / elapsed, 1),
        # The machine is shared: lines per second of this process's own CPU time (all its
        # threads) is the steadier figure; two idle cores give about twice it.
        "lines_per_cpu_second": round(len(rows) / cpu, 1),
        "load_average": round(os.getloadavg()[0], 2),
        "embedded_share": round(sum(r.method != "lexicon" for r in results) / len(results), 4),
    }
    golds = [row.get("label") for row in rows]
    if all(golds):
        report["pipeline"] = sentiment_figures(
            golds, [r.score for r in results], [r.sentiment for r in results]
        )
        report["lexicon_only"] = sentiment_figures(
            golds,
            [r.lexicon_score for r in results],
            [label_for(r.lexicon_score) for r in results],
        )
        started = time.perf_counter()
        zero_shot = polarity.zero_shot([r.masked for r in results])
        if zero_shot is not None:
            zs_elapsed = time.perf_counter() - started
            report["embedding_only"] = sentiment_figures(
                golds, [float(s) for s in zero_shot], [label_for(float(s)) for s in zero_shot]
            ) | {"lines_per_second": round(len(rows) / zs_elapsed, 1)}
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
    parser.add_argument("files", nargs="*", type=Path, default=DEFAULT)
    parser.add_argument("--errors", type=int, default=0, help="print this many misclassified lines")
    args = parser.parse_args()
    for path in args.files:
        print(json.dumps(run(path, show_errors=args.errors), ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
