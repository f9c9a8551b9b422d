"""Topic recall and precision of the default taxonomy, on the labelled Dutch sets in cxloop/text/tests/data.

    PYTHONPATH=. python benchmarks/topics_benchmark.py [--misses]

Each line is a text and the topics a CX analyst would give it. Counted per (text, topic) pair,
micro-averaged: a topic given and expected is a hit. The dev set is the one the keywords were
tuned on; the held-out set is never tuned on. --misses lists the dev set's errors.
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cxloop.text.taxonomy import DEFAULT_TAXONOMY, tag_text  # noqa: E402

DATA = Path(__file__).resolve().parent.parent / "cxloop/text/tests/data"


def measure(path: Path, *, show_misses: bool = False) -> dict[str, float]:
    hits = misses = false_alarms = callback_hits = callback_expected = 0
    for line in path.read_text("utf-8").splitlines():
        row = json.loads(line)
        expected, found = set(row["topics"]), set(tag_text(row["text"], DEFAULT_TAXONOMY))
        hits += len(expected & found)
        misses += len(expected - found)
        false_alarms += len(found - expected)
        if "afspraken" in expected:
            callback_expected += 1
            callback_hits += "afspraken" in found
        if show_misses and expected != found:
            print(
                f"  missed {sorted(expected - found)} extra {sorted(found - expected)}: {row['text']}"
            )
    return {
        "recall": hits / max(1, hits + misses),
        "precision": hits / max(1, hits + false_alarms),
        "pairs": hits + misses,
        "afspraken_recall": callback_hits / max(1, callback_expected),
    }


def main() -> None:
    show = "--misses" in sys.argv
    print(f"{'set':<10} {'recall':>7} {'precision':>9} {'pairs':>6} {'afspraken recall':>17}")
    for set_name in ("dev", "heldout"):
        r = measure(DATA / f"topics_{set_name}.jsonl", show_misses=show and set_name == "dev")
        print(
            f"{set_name:<10} {r['recall']:>7.2f} {r['precision']:>9.2f} {r['pairs']:>6} "
            f"{r['afspraken_recall']:>17.2f}"
        )


if __name__ == "__main__":
    main()
