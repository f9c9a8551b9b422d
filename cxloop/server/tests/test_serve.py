"""`cxloop serve` on a fresh data directory: migrate, start, answer on the port, with a worker beside it."""

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _running(pid: str) -> bool:
    """Whether a process still runs (a zombie waiting to be reaped does not)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_serve_starts_the_web_server_and_a_worker(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CXLOOP_")}
    env["CXLOOP_DATA_DIR"] = str(tmp_path)
    cxloop = [sys.executable, "-m", "cxloop.cli"]
    subprocess.run([*cxloop, "migrate", "--no-input", "-v", "0"], env=env, check=True, timeout=120)
    port = free_port()
    server = subprocess.Popen(
        [*cxloop, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        body = ""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=5) as page:
                    body = page.read().decode()
                break
            except OSError:
                time.sleep(0.3)
        assert "csrfmiddlewaretoken" in body
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}/static/cxloop/app.css", timeout=5
        ) as css:
            assert css.status == 200
        # The secret key was generated and kept in the data directory, not hard-coded.
        assert (tmp_path / "secret_key").read_text().strip()
        children = subprocess.run(
            ["pgrep", "-P", str(server.pid)], capture_output=True, text=True
        ).stdout.split()
        assert children, "no worker process was started beside the web server"
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            pytest.fail("serve did not stop on SIGTERM")
    # The worker stops with the server instead of running on without it.
    deadline = time.monotonic() + 15
    while any(_running(pid) for pid in children):
        assert time.monotonic() < deadline, "the worker kept running after serve stopped"
        time.sleep(0.2)


def test_a_serving_process_freezes_what_it_loaded_and_collects_young_objects_less_often():
    import gc

    from cxloop.lib.serving import YOUNG_THRESHOLD, settle_for_serving

    threshold = gc.get_threshold()
    loaded = type("Loaded", (), {})()  # an object the collector tracks
    try:
        settle_for_serving()
        assert gc.get_threshold()[0] == YOUNG_THRESHOLD > threshold[0]
        # Frozen: no collection walks it any more.
        assert not any(obj is loaded for obj in gc.get_objects())
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
    assert any(obj is loaded for obj in gc.get_objects())
