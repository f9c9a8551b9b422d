"""A small PostgreSQL primary and its streaming replica on free localhost ports, for one test module.

The shared cluster on 5432 holds large benchmark databases, so it is never copied: `initdb` makes
a new, empty primary in a temporary directory, `pg_basebackup -R` copies it into a second one, and
the copy starts as a hot standby. The servers run as the `postgres` OS user (initdb refuses root).
Both are stopped and removed at the end.
"""

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from cxloop.lib.testing.smtp import free_port

BIN = Path(os.environ.get("CXLOOP_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))
OS_USER = "postgres"
DATABASE = "cxloop"


@dataclass
class Pair:
    primary_url: str
    replica_url: str

    def wait_until_replayed(self, timeout: float = 10) -> None:
        """Wait until the replica has replayed everything the primary has written so far."""
        with psycopg.connect(self.primary_url, autocommit=True) as primary:
            lsn = primary.execute("select pg_current_wal_insert_lsn()").fetchone()[0]  # type: ignore[index]
        deadline = time.monotonic() + timeout
        with psycopg.connect(self.replica_url, autocommit=True) as replica:
            while True:
                behind = replica.execute(
                    "select pg_wal_lsn_diff(%s::pg_lsn, pg_last_wal_replay_lsn()) > 0", [lsn]
                ).fetchone()[0]  # type: ignore[index]
                if not behind:
                    return
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the replica did not replay up to {lsn} in {timeout} s")
                time.sleep(0.05)


def missing_tools() -> str | None:
    """Why no replica can be set up here, or None when everything it needs is present."""
    for tool in ("initdb", "pg_ctl", "pg_basebackup", "postgres"):
        if not (BIN / tool).exists():
            return f"{BIN / tool} is missing (PostgreSQL server binaries)"
    if shutil.which("runuser") is None:
        return "runuser is missing (the servers run as the postgres OS user)"
    if os.geteuid() != 0:
        return "runs as root only (to start the servers as the postgres OS user)"
    return None


def skip_or_fail_without_tools() -> None:
    why = missing_tools()
    if why is None:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"a real streaming replica is needed and cannot be set up: {why}")
    pytest.skip(f"a real streaming replica cannot be set up here: {why}")


def _as_postgres(*command: str | Path) -> None:
    subprocess.run(
        ["runuser", "-u", OS_USER, "--", *map(str, command)],
        check=True,
        capture_output=True,
        timeout=60,
    )


def _configure_primary(data: Path, port: int, sockets: Path) -> None:
    with open(data / "postgresql.conf", "a") as conf:
        conf.write(
            f"port = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{sockets}'\n"
            "wal_level = replica\nmax_wal_senders = 4\nhot_standby = on\n"
            # A throwaway cluster: durability buys nothing here and costs seconds.
            "fsync = off\nfull_page_writes = off\n"
        )
    with open(data / "pg_hba.conf", "a") as hba:
        hba.write("host replication all 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 trust\n")


@contextmanager
def streaming_replica() -> Iterator[Pair]:
    """Start a primary with a database `cxloop` and a hot standby streaming from it."""
    root = Path(tempfile.mkdtemp(prefix="cxloop-replica-"))
    shutil.chown(root, OS_USER)
    primary, replica = root / "primary", root / "replica"
    primary_port, replica_port = free_port(), free_port()
    started: list[Path] = []
    try:
        _as_postgres(
            BIN / "initdb",
            "-D",
            primary,
            "-U",
            "postgres",
            "--auth=trust",
            "--no-sync",
            "-E",
            "UTF8",
        )
        _configure_primary(primary, primary_port, root)
        _as_postgres(BIN / "pg_ctl", "-D", primary, "-l", root / "primary.log", "-w", "start")
        started.append(primary)
        primary_url = f"postgres://postgres@127.0.0.1:{primary_port}/{DATABASE}"
        with psycopg.connect(
            f"postgres://postgres@127.0.0.1:{primary_port}/postgres", autocommit=True
        ) as admin:
            admin.execute(f"create database {DATABASE}")
        _as_postgres(
            BIN / "pg_basebackup",
            *("-h", "127.0.0.1", "-p", str(primary_port), "-U", "postgres"),
            *("-D", replica, "-R", "-X", "stream", "-c", "fast", "--no-sync"),
        )
        _as_postgres(
            BIN / "pg_ctl",
            *("-D", replica, "-l", root / "replica.log", "-o", f"-p {replica_port}", "-w", "start"),
        )
        started.append(replica)
        pair = Pair(primary_url, f"postgres://postgres@127.0.0.1:{replica_port}/{DATABASE}")
        with psycopg.connect(pair.replica_url, autocommit=True) as standby:
            if not standby.execute("select pg_is_in_recovery()").fetchone()[0]:  # type: ignore[index]
                raise RuntimeError("the copy did not start as a standby")
        yield pair
    finally:
        for data in reversed(started):
            _as_postgres(BIN / "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)
