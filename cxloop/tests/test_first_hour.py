"""A newcomer's first commands: the CLI finds the checkout's instance, and says what to do on an empty one."""

import os
import subprocess
import sys
from pathlib import Path

from cxloop.lib.env import default_data_dir

CHECKOUT = Path(__file__).resolve().parents[2]


def _cxloop(*args: str, data_dir: Path) -> subprocess.CompletedProcess:
    """`cxloop ARGS` in a new shell: none of the test run's CXLOOP_ settings, only the data directory."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CXLOOP_")}
    env["CXLOOP_DATA_DIR"] = str(data_dir)
    env["PYTHONPATH"] = str(CHECKOUT)
    return subprocess.run(
        [sys.executable, "-c", "from cxloop.cli import main; main()", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_a_command_before_migrate_says_to_migrate_and_leaves_no_empty_database(tmp_path):
    result = _cxloop("apikey", "create", "--organisation", "leasewijs", data_dir=tmp_path)
    assert result.returncode == 1
    assert "run `cxloop migrate` (or `make run`) first" in result.stderr
    assert "no such table" not in result.stderr + result.stdout
    assert not (tmp_path / "cxloop.sqlite3").exists()


def test_a_database_file_without_tables_gets_the_same_advice(tmp_path):
    (tmp_path / "cxloop.sqlite3").touch()  # what an earlier crash left behind
    result = _cxloop("demo", "--if-empty", data_dir=tmp_path)
    assert result.returncode == 1
    assert "has no tables yet: run `cxloop migrate`" in result.stderr


def test_after_migrate_the_command_runs(tmp_path):
    assert _cxloop("migrate", "--no-input", "-v", "0", data_dir=tmp_path).returncode == 0
    result = _cxloop("apikey", "create", "--organisation", "nergens", data_dir=tmp_path)
    assert "migrate" not in result.stderr and "nergens" in result.stderr


def test_run_from_a_checkout_the_data_lives_in_its_var_directory(tmp_path):
    """`make run` and `.venv/bin/cxloop` in a new shell find the same database without any setting."""
    assert default_data_dir(CHECKOUT / "cxloop") == CHECKOUT / "var"
    installed = tmp_path / "site-packages" / "cxloop"
    installed.mkdir(parents=True)
    assert default_data_dir(installed) == Path.home() / ".local" / "share" / "cxloop"
