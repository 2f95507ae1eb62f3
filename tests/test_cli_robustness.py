"""The `riskscan` command under abuse: odd destinations, bad values, signals, and what it says then.

Each test runs the command in a separate process, as a user (or a CI runner, or an attacker) would.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import time
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
    log = FIXTURES / "access_log" / "out-of-range-timestamps.log"
    (estate / "access.log").write_bytes(log.read_bytes())
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


def test_a_report_onto_a_loop_of_links_is_refused_in_one_line_before_the_scan(tmp_path: Path) -> None:
    (tmp_path / "loop.json").symlink_to("loop.json")
    result = run_cli("scan", ESTATE, "-o", "loop.json", "--no-db", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == ["riskscan: error: loop.json: is a loop of symbolic links"]
    assert (tmp_path / "loop.json").is_symlink()


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
        (_sqlite_with_other_tables,
         "h.db: is a SQLite database, but not a riskscan history (no scans table)"),
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


# --------------------------------------------------------------------------- signals


def _write_large_log(path: Path) -> None:
    """A plain log of about 64 MB: long enough to be inside its read when the signal comes."""
    line = '192.0.2.{c} - - [09/Nov/2026:08:{m:02d}:{s:02d} +0000] "GET /v1/claims/{n} HTTP/1.1" 200 51\n'
    block = "".join(line.format(c=n % 250, m=n // 60 % 60, s=n % 60, n=n) for n in range(20_000)).encode()
    with path.open("wb") as handle:
        for _ in range((64 << 20) // len(block) + 1):
            handle.write(block)


def _bytes_read(pid: int) -> int:
    """Bytes process `pid` has read so far (`rchar` of /proc/PID/io), 0 once it is gone."""
    try:
        fields = dict(line.split(": ") for line in Path(f"/proc/{pid}/io").read_text().splitlines())
    except (OSError, ValueError):
        return 0
    return int(fields.get("rchar", 0))


@pytest.mark.skipif(not Path("/proc/self/io").is_file(), reason="needs Linux /proc (to see the read under way)")
def test_sigterm_during_a_log_read_ends_the_scan_cleanly(tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    _write_large_log(log)
    scan = subprocess.Popen([sys.executable, "-m", "riskscan", "scan", str(log), "--no-db", "-o", "report.json"],
                            cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        while scan.poll() is None and _bytes_read(scan.pid) < (24 << 20):  # until the log is being read
            time.sleep(0.01)
        assert scan.poll() is None, "the scan ended before the signal could be sent"
        scan.send_signal(signal.SIGTERM)
        _, stderr = scan.communicate(timeout=120)
    finally:
        scan.kill()
    assert scan.returncode == 143
    assert stderr.strip().splitlines()[-1] == "riskscan: terminated"
    assert "Traceback" not in stderr
    assert [path.name for path in tmp_path.iterdir()] == ["access.log"]  # no report, half-written or whole


# --------------------------------------------------------------------------- what a user is told


def test_verbose_lists_every_file_with_its_outcome_and_reason(tmp_path: Path) -> None:
    result = run_cli("scan", BROKEN_ESTATE, "-v", "-o", "r.json", "--no-db", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    listed = [line.strip() for line in result.stderr.splitlines() if line.startswith("  ")]
    assert "used    good-spec.yaml (openapi)" in listed
    assert "skipped notes.txt: not a kind riskscan reads (see riskscan sources)" in listed
    assert any(line.startswith("failed  broken-spec.yaml:") and line.endswith("(openapi)") for line in listed)
    assert len([line for line in listed if "broken-spec.yaml" in line]) == 1  # not again in the summary


def test_when_no_input_is_usable_the_failed_files_are_listed_before_the_error(tmp_path: Path) -> None:
    estate = tmp_path / "estate"
    estate.mkdir()
    (estate / "broken-spec.yaml").write_bytes((BROKEN_ESTATE / "broken-spec.yaml").read_bytes())
    (estate / "notes.txt").write_bytes((BROKEN_ESTATE / "notes.txt").read_bytes())
    (estate / "no-paths.yaml").write_text("openapi: 3.0.3\ninfo: {title: Quotes, version: '1'}\n")
    result = run_cli("scan", estate, "--no-db", cwd=tmp_path)
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 3, result.stderr
    assert lines[0].startswith("  failed  broken-spec.yaml:") and "malformed YAML" in lines[0]
    assert lines[1].startswith("  failed  no-paths.yaml:") and "paths" in lines[1]
    assert lines[2].startswith("riskscan: error: ") and "nothing could be read: broken-spec.yaml:" in lines[2]
    assert lines[2].endswith("(and 1 more failed files)")


def test_when_the_only_input_fails_its_reason_is_the_error_line(tmp_path: Path) -> None:
    result = run_cli("scan", BROKEN_ESTATE / "broken-spec.yaml", BROKEN_ESTATE / "notes.txt", "--no-db",
                     cwd=tmp_path)
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "nothing could be read: broken-spec.yaml:8: malformed YAML" in lines[0]


def test_a_file_named_like_a_credential_keeps_its_whole_reason(tmp_path: Path) -> None:
    # `db-secret.yaml: refused ...` read as a `name: value` pair lost its first word to redaction.
    result = run_cli("scan", FIXTURES / "secret-named-files", "-v", "--no-db", cwd=tmp_path)
    assert result.returncode == 2
    listed = [line.strip() for line in result.stderr.splitlines() if line.startswith("  ")]
    assert "failed  session-capture.har: not UTF-8 text (bad byte at offset 110) (har)" in listed
    assert any(line.startswith("failed  db-secret.yaml: refused YAML: unacceptable character") for line in listed)
    assert "REDACTED" not in result.stderr


def test_fail_on_takes_any_case_and_names_the_findings_that_failed_the_run(tmp_path: Path) -> None:
    result = run_cli("scan", ESTATE, "--fail-on", "HIGH", "--no-db", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    lines = result.stderr.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("--fail-on high: "))
    assert lines[start].endswith("findings at or above high, so exit code 1")
    hits = [line for line in lines[start + 1 :] if not line.startswith("  ... and ")]
    assert hits and all(line.startswith("  ") and ("[high]" in line or "[critical]" in line) for line in hits)
    # The estate's anonymous admin route is critical (function-level authorization): any case works.
    critical = run_cli("scan", ESTATE, "--fail-on", "Critical", "--no-db", cwd=tmp_path)
    assert critical.returncode == 1
    assert any(line.startswith("  FUNC-001 [critical]") for line in critical.stderr.splitlines())


@pytest.mark.parametrize("value", ["0", "-5", "1048577", "99999999999999999999999"])
def test_max_file_mb_out_of_bounds_is_one_line(tmp_path: Path, value: str) -> None:
    result = run_cli("scan", ESTATE, "--max-file-mb", value, "--no-db", cwd=tmp_path)
    assert result.returncode == 2
    expected = f"riskscan: error: --max-file-mb must be from 1 to 1048576 (MiB), not {value}"
    assert result.stderr.strip() == expected


# An exception a library raised may quote an input's value ("could not convert string to float: '...'");
# under --debug its traceback is shown, and must be redacted like every other line.
_BOOM = """
import sys
import riskscan.pipeline
from riskscan.model import SourceKind
from riskscan.sources import READERS

def boom(*args, **kwargs):
    raise ValueError("could not convert string to float: 'client_secret=PLANTED-DEBUG-7731'")

READERS[SourceKind.OPENAPI].read = boom  # a reader's unexpected error: the file fails, logged
if sys.argv[1] == "scan":
    riskscan.pipeline.scan = boom  # an error outside the readers: an internal error
sys.argv = ["riskscan", "scan", *sys.argv[2:]]
from riskscan.cli import main
main()
"""


@pytest.mark.parametrize("where", ["reader", "scan"])
def test_a_traceback_under_debug_is_redacted(tmp_path: Path, where: str) -> None:
    result = subprocess.run([sys.executable, "-c", _BOOM, where, str(ESTATE), "--debug", "--no-db", "-o", "r.json"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False)
    assert "Traceback" in result.stderr and "ValueError" in result.stderr  # --debug still shows it
    assert "PLANTED-DEBUG-7731" not in result.stderr
    if where == "scan":
        assert result.returncode == 3, result.stderr  # the internal error's code, not 1 as --fail-on's
