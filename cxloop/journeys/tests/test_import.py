"""`cxloop import`: interactions from CSV, all-or-nothing by default, a report per bad row."""

import io

import pytest
from django.core.management import CommandError, call_command

from cxloop.journeys.imports import import_interactions, read_interactions_csv
from cxloop.journeys.models import Interaction
from cxloop.surveys.models import Invitation

pytestmark = pytest.mark.django_db

HEADER = (
    "external_id;occurred_at;customer_key;customer_email;journey_id;journey_type;channel;employee\n"
)
GOOD = "r1;2026-11-20T10:00:00+01:00;K-1;een@example.nl;claim-1;schade-melden;telefoon;A1\n"
GOOD2 = "r2;2026-11-20T11:00:00+01:00;K-2;twee@example.nl;claim-2;schade-melden;e-mail;B1\n"
BAD = "r3;gisteren;K-3;;claim-3;schade-melden;postduif;A1\n"


def write(tmp_path, text: str):
    path = tmp_path / "interactions.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_clean_file_is_imported_and_invites(
    cast, tmp_path, capsys, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "importinteractions", write(tmp_path, HEADER + GOOD + GOOD2), organisation="leasewijs"
        )
    assert Interaction.objects.count() == 2
    assert Invitation.objects.count() == 2
    assert "2 interaction(s) imported" in capsys.readouterr().out


def test_a_bad_row_stops_the_whole_import_and_is_reported_by_line(cast, tmp_path, capsys):
    with pytest.raises(CommandError, match="1 bad row"):
        call_command(
            "importinteractions", write(tmp_path, HEADER + GOOD + BAD), organisation="leasewijs"
        )
    err = capsys.readouterr().err
    assert "line 3" in err and "occurred_at 'gisteren'" in err
    assert not Interaction.objects.exists()


def test_unknown_references_are_reported_per_row(cast, tmp_path, capsys):
    row = "r4;2026-11-20T10:00:00+01:00;K-4;;claim-4;schade-melden;postduif;A1\n"
    with pytest.raises(CommandError):
        call_command(
            "importinteractions", write(tmp_path, HEADER + GOOD + row), organisation="leasewijs"
        )
    assert "line 3: channel 'postduif' is unknown" in capsys.readouterr().err
    assert not Interaction.objects.exists()


def test_skip_invalid_imports_the_good_rows(cast, tmp_path, capsys):
    row = "r4;2026-11-20T10:00:00+01:00;K-4;;claim-4;schade-melden;postduif;A1\n"
    call_command(
        "importinteractions",
        write(tmp_path, HEADER + GOOD + row + GOOD2 + BAD),
        organisation="leasewijs",
        skip_invalid=True,
    )
    assert sorted(Interaction.objects.values_list("external_id", flat=True)) == ["r1", "r2"]
    assert "2 bad row(s) skipped" in capsys.readouterr().out


def test_importing_twice_duplicates_nothing(cast, tmp_path, capsys):
    path = write(tmp_path, HEADER + GOOD + GOOD2)
    call_command("importinteractions", path, organisation="leasewijs")
    call_command("importinteractions", path, organisation="leasewijs")
    assert Interaction.objects.count() == 2
    assert "2 seen before" in capsys.readouterr().out


def test_missing_columns_are_named(cast, tmp_path):
    with pytest.raises(CommandError, match="missing column"):
        call_command(
            "importinteractions",
            write(tmp_path, "external_id,channel\nx,telefoon\n"),
            organisation="leasewijs",
        )
    with pytest.raises(CommandError, match="no organisation"):
        call_command("importinteractions", write(tmp_path, HEADER + GOOD), organisation="nobody")


def test_an_xlsx_workbook_is_imported_with_the_same_report(cast, tmp_path, capsys):
    from datetime import datetime

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.strip().split(";"))
    sheet.append(GOOD.strip().split(";"))
    row = GOOD2.strip().split(";")
    row[1] = datetime(2026, 11, 20, 11, 0)  # a real date cell: no zone, read as Dutch time
    sheet.append(row)
    path = tmp_path / "interactions.xlsx"
    workbook.save(path)
    call_command("importinteractions", path, organisation="leasewijs")
    assert sorted(Interaction.objects.values_list("external_id", flat=True)) == ["r1", "r2"]
    assert (
        Interaction.objects.get(external_id="r2").occurred_at.isoformat()
        == "2026-11-20T10:00:00+00:00"
    )

    sheet.append(BAD.strip().split(";"))
    workbook.save(path)
    with pytest.raises(CommandError):
        call_command("importinteractions", path, organisation="leasewijs")
    assert "line 4" in capsys.readouterr().err


def test_a_file_that_is_not_a_workbook_is_a_clear_error(cast, tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"not a zip file")
    with pytest.raises(CommandError, match="not a readable .xlsx"):
        call_command("importinteractions", path, organisation="leasewijs")


# --- the service the command calls ---------------------------------------------------------------


def _rows(text: str):
    return list(read_interactions_csv(io.StringIO(text)))


def test_every_refused_row_is_reported_not_only_the_first(cast):
    unknown_channel = "r4;2026-11-20T10:00:00+01:00;K-4;;claim-4;schade-melden;postduif;A1\n"
    unknown_employee = "r5;2026-11-20T10:00:00+01:00;K-5;;claim-5;schade-melden;telefoon;ZZ\n"
    rows = _rows(HEADER + unknown_channel + GOOD + unknown_employee + GOOD2)
    outcome = import_interactions(organisation=cast.owner, rows=rows, skip_invalid=True)
    assert sorted(outcome.bad) == [2, 4]
    assert outcome.bad[2] == ["channel 'postduif' is unknown; known: e-mail, telefoon"]
    assert outcome.bad[4] == ["employee 'ZZ' is unknown in this organisation"]
    assert (outcome.created, outcome.seen, outcome.imported) == (2, 0, True)
    assert sorted(Interaction.objects.values_list("external_id", flat=True)) == ["r1", "r2"]


def test_a_refused_row_rolls_back_the_chunks_already_written(cast):
    unknown_channel = "r4;2026-11-20T10:00:00+01:00;K-4;;claim-4;schade-melden;postduif;A1\n"
    rows = _rows(HEADER + GOOD + GOOD2 + unknown_channel)
    outcome = import_interactions(organisation=cast.owner, rows=rows, skip_invalid=False, chunk=1)
    assert (outcome.created, outcome.seen, outcome.imported) == (0, 0, False)
    assert list(outcome.bad) == [4]
    assert not Interaction.objects.exists()


def test_rows_seen_before_are_counted_apart(cast):
    import_interactions(organisation=cast.owner, rows=_rows(HEADER + GOOD), skip_invalid=False)
    outcome = import_interactions(
        organisation=cast.owner, rows=_rows(HEADER + GOOD + GOOD2), skip_invalid=False, chunk=1
    )
    assert (outcome.created, outcome.seen, outcome.bad) == (1, 1, {})
