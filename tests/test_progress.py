"""The progress bar a person sees on a terminal while logs are read: the file, bytes, lines and rate.

A month of rotated logs is one scan: the bar moves through every file, and the scan aggregates them all.
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import zstandard
from rich.console import Console

from riskscan.pipeline import ScanOptions, scan
from riskscan.terminal import RichProgress

LINE = '198.51.100.{c} - - [{d:02d}/Nov/2026:08:00:{s:02d} +0000] "GET /v1/accounts/{n} HTTP/1.1" 200 12 "-" "sdk/1"\n'


def rotated_logs(folder: Path) -> None:
    """access.log, access.log.1, access.log.2.gz and access.log.3.zst: four days of one API."""
    def day(number: int) -> bytes:
        return "".join(LINE.format(c=n % 20, d=number, s=n % 60, n=n % 300) for n in range(2000)).encode()

    (folder / "access.log").write_bytes(day(9))
    (folder / "access.log.1").write_bytes(day(8))
    (folder / "access.log.2.gz").write_bytes(gzip.compress(day(7)))
    (folder / "access.log.3.zst").write_bytes(zstandard.ZstdCompressor().compress(day(6)))


def test_rotated_logs_are_one_scan_and_the_bar_shows_file_lines_and_rate(tmp_path: Path) -> None:
    rotated_logs(tmp_path)
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=160)
    assessment = scan(ScanOptions(paths=(tmp_path,), progress=RichProgress(console)))
    [accounts] = [e for e in assessment.inventory.endpoints if e.path == "/v1/accounts/{id}"]
    assert accounts.traffic is not None
    assert accounts.traffic.requests == 8000
    assert accounts.traffic.clients == 20
    assert (accounts.traffic.first_seen.day, accounts.traffic.last_seen.day) == (6, 9)
    assert {record.path for record in assessment.inputs if record.kind == "access_log"} == {
        "access.log", "access.log.1", "access.log.2.gz", "access.log.3.zst"}
    shown = screen.getvalue()
    assert "access.log.3.zst" in shown
    assert "8,000 lines" in shown and "lines/s" in shown  # the last frame, drawn when reading ends
