"""Recall and precision of masking person names, on the labelled Dutch sets in cxloop/text/tests/data.

    PYTHONPATH=. python benchmarks/pii_benchmark.py

Counted per word of a name (tussenvoegsels such as "van" or "de" left out): a name word that is
masked is a hit, one that is not is a miss, and a masked word that is no name is a false alarm.
The dev set is the one the rules were tuned on; the held-out set was written before measuring
and is never tuned on. With `deduce` installed its name lists are measured as well.
"""

import json
import re
import sys
from importlib.util import find_spec
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cxloop.text.names import TUSSENVOEGSELS, name_spans  # noqa: E402

DATA = Path(__file__).resolve().parent.parent / "cxloop/text/tests/data"
WORD = re.compile(r"[\w'’-]+")


def _words_in(text: str, spans: list[tuple[int, int]]) -> set[int]:
    """Start offsets of the name words (no tussenvoegsels) that lie inside the spans."""
    return {
        m.start()
        for m in WORD.finditer(text)
        if m.group(0).lower() not in TUSSENVOEGSELS
        and any(s <= m.start() and m.end() <= e for s, e in spans)
    }


def measure(path: Path, *, use_deduce: bool) -> dict[str, float]:
    hits = misses = false_alarms = 0
    for line in path.read_text("utf-8").splitlines():
        row = json.loads(line)
        text = row["text"]
        expected_spans = []
        for name in row["names"]:
            start = text.find(name)
            assert start >= 0, (name, text)
            expected_spans.append((start, start + len(name)))
        expected = _words_in(text, expected_spans)
        found = _words_in(
            text, name_spans(text, employee_names=row.get("employees", ()), use_deduce=use_deduce)
        )
        hits += len(expected & found)
        misses += len(expected - found)
        false_alarms += len(found - expected)
    return {
        "recall": hits / max(1, hits + misses),
        "precision": hits / max(1, hits + false_alarms),
        "name_words": hits + misses,
        "false_alarms": false_alarms,
    }


def main() -> None:
    variants = [("list written here", False)]
    if find_spec("deduce") is not None:
        variants.append(("+ deduce name lists", True))
    print(
        f"{'set':<10} {'gazetteer':<22} {'recall':>7} {'precision':>9} {'name words':>10} {'false alarms':>12}"
    )
    for set_name in ("dev", "heldout"):
        for label, use_deduce in variants:
            r = measure(DATA / f"pii_names_{set_name}.jsonl", use_deduce=use_deduce)
            print(
                f"{set_name:<10} {label:<22} {r['recall']:>7.2f} {r['precision']:>9.2f} "
                f"{r['name_words']:>10} {r['false_alarms']:>12}"
            )


if __name__ == "__main__":
    main()
