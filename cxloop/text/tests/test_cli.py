"""`cxloop text analyze FILE.jsonl --json`."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command


def test_analyze_writes_each_line_back_with_language_sentiment_score_and_topics(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text(
        json.dumps(
            {"id": 1, "text": "De medewerker was heel vriendelijk maar ik moest drie keer bellen"}
        )
        + "\n"
        + json.dumps({"id": 2, "text": "Delivery was on time."})
        + "\n\n",
        encoding="utf-8",
    )
    out, err = StringIO(), StringIO()
    call_command("text", "analyze", str(source), "--json", stdout=out, stderr=err)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert rows[0]["id"] == 1 and rows[0]["language"] == "nl" and rows[0]["sentiment"] == "negative"
    assert -1 <= rows[0]["sentiment_score"] < 0
    assert set(rows[0]["topics"]) == {"vriendelijkheid", "bereikbaarheid"}
    assert (
        rows[1]["language"] == "en"
        and rows[1]["sentiment"] == "positive"
        and rows[1]["topics"] == ["levering"]
    )
    assert "2 lines" in err.getvalue()


def test_a_line_without_text_is_an_error(tmp_path):
    source = tmp_path / "bad.jsonl"
    source.write_text('{"tekst": "oeps"}\n', encoding="utf-8")
    with pytest.raises(CommandError, match="line 1"):
        call_command("text", "analyze", str(source), "--json", stdout=StringIO(), stderr=StringIO())
