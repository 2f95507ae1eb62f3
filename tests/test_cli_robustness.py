"""The `riskscan` command under abuse: odd destinations, bad values, signals, and what it says then.

Each test runs the command in a separate process, as a user (or a CI runner, or an attacker) would.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ESTATE = FIXTURES / "estate"
BROKEN_ESTATE = FIXTURES / "estate-broken"


def run_cli(*args: str | Path, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run `python -m riskscan` in a separate process; `timeout` stops a hang from hanging the suite."""
    return subprocess.run([sys.executable, "-m", "riskscan", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout, check=False)


def test_a_log_line_with_an_impossible_date_costs_that_line_not_the_traffic(tmp_path: Path) -> None:
    estate = tmp_path / "estate"
    estate.mkdir()
    (estate / "claims-api.yaml").write_bytes((ESTATE / "specs" / "claims-api.yaml").read_bytes())
    (estate / "access.log").write_bytes((FIXTURES / "access_log" / "out-of-range-timestamps.log").read_bytes())
    result = run_cli("scan", estate, "-o", "r.json", "--no-db", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    statuses = {item["path"]: item["status"] for item in report["inputs"]}
    assert statuses == {"access.log": "used", "claims-api.yaml": "used"}
    requests = sum(e["traffic"]["requests"] for e in report["endpoints"] if e.get("traffic"))
    assert requests == 8


# --------------------------------------------------------------------------- outputs and the history


def null_device(tmp_path: Path) -> Path:
    """A character device that discards what is written: a private twin of /dev/null when this user
    may make one (so that, were the bug back, the test would not replace the machine's /dev/null as
    root), else /dev/null itself (which a user who is not root cannot replace anyway)."""
    twin = tmp_path / "devices" / "null"
    twin.parent.mkdir()
    try:
        os.mknod(twin, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except (PermissionError, AttributeError):
        assert os.geteuid() != 0, "root could not make a device: refusing to test on the real /dev/null"
        return Path("/dev/null")
    return twin


def test_a_report_to_a_device_is_written_through_and_the_device_stays(tmp_path: Path) -> None:
    device = null_device(tmp_path)
    result = run_cli("scan", ESTATE, "-o", device, "--format", "json", "--no-db", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert stat.S_ISCHR(os.stat(device).st_mode)
    if device.parent != Path("/dev"):
        assert [path.name for path in device.parent.iterdir()] == [device.name]  # no temp file beside it


def test_a_report_to_a_named_pipe_reaches_its_reader(tmp_path: Path) -> None:
    fifo = tmp_path / "report.pipe"
    os.mkfifo(fifo)
    link = tmp_path / "report-link"
    link.symlink_to(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = run_cli("scan", ESTATE, "-o", link, "--format", "json", "--no-db", cwd=tmp_path)
    if reader.is_alive():  # the report never came: unblock the reader, then fail
        with open(fifo, "wb"):
            pass
    reader.join(timeout=30)
    assert result.returncode == 0, result.stderr
    assert stat.S_ISFIFO(fifo.lstat().st_mode) and link.is_symlink()
    assert json.loads(received[0])["endpoints"]


def test_a_report_through_a_symlink_replaces_the_file_it_points_to(tmp_path: Path) -> None:
    (tmp_path / "reports").mkdir()
    real = tmp_path / "reports" / "latest.json"
    real.write_text("old")
    link = tmp_path / "latest.json"
    link.symlink_to(real)
    result = run_cli("scan", ESTATE, "-o", link, "--no-db", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert link.is_symlink() and json.loads(real.read_text(encoding="utf-8"))["endpoints"]
    assert sorted(path.name for path in (tmp_path / "reports").iterdir()) == ["latest.json"]


def test_a_report_onto_the_history_database_is_refused_before_the_scan(tmp_path: Path) -> None:
    assert run_cli("scan", ESTATE, "--db", "h.db", cwd=tmp_path).returncode == 0
    before = (tmp_path / "h.db").read_bytes()
    result = run_cli("scan", ESTATE, "-o", "./h.db", "--format", "json", "--db", "h.db", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == ("riskscan: error: ./h.db is the history database (--db);"
                                     " write the report elsewhere")
    assert (tmp_path / "h.db").read_bytes() == before


def _sqlite_with_other_tables(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("create table invoices (id integer primary key, total real)")
    conn.close()


@pytest.mark.parametrize(
    ("prepare", "message"),
    [
        (lambda db: db.write_text("notes, not a database\n" * 100), "h.db: is not a SQLite database"),
        (_sqlite_with_other_tables, "h.db: is a SQLite database, but not a riskscan history (no scans table)"),
    ],
    ids=["text-file", "unrelated-sqlite"],
)
def test_a_history_database_that_is_not_ours_is_refused_before_the_scan(
    tmp_path: Path, prepare: Callable[[Path], None], message: str
) -> None:
    db = tmp_path / "h.db"
    prepare(db)
    before = db.read_bytes()
    result = run_cli("scan", ESTATE, "-o", "r.json", "--db", "h.db", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == f"riskscan: error: {message}"
    assert db.read_bytes() == before and not (tmp_path / "r.json").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into any folder, so there is none to refuse")
def test_a_history_database_in_a_read_only_folder_is_refused_before_the_scan(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        result = run_cli("scan", ESTATE, "-o", "r.json", "--db", "locked/h.db", cwd=tmp_path)
    finally:
        folder.chmod(0o755)
    assert result.returncode == 2
    assert result.stderr.strip() == "riskscan: error: locked/h.db: folder locked is not writable"
