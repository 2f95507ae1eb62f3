"""A log truncated in place while it was written (logrotate's `copytruncate`, a server writing at its old
offset) begins with a run of NUL bytes: it is still detected and read from its first line after them,
with a warning; a file of NULs alone stays binary."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskscan.sources import READERS, ReadContext, detect_kind, read_head
from riskscan.sources.leading_hole import skip_leading_nuls

LINES = (
    '203.0.113.9 - - [02/Nov/2026:10:00:00 +0000] "GET /v1/policies/1001 HTTP/1.1" 200 512 "-" "curl/8.4"\n'
    '203.0.113.9 - - [02/Nov/2026:10:00:01 +0000] "GET /v1/policies/1002 HTTP/1.1" 200 512 "-" "curl/8.4"\n'
    '198.51.100.4 - - [02/Nov/2026:10:00:02 +0000] "POST /v1/claims HTTP/1.1" 201 88 "-" "curl/8.4"\n'
)


def test_a_log_beginning_with_a_hole_is_detected_and_read(tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    log.write_bytes(b"\x00" * 3_000_000 + LINES.encode())  # larger than any head and than one chunk
    kind = detect_kind(log, read_head(log))
    assert kind is not None and kind.value == "access_log"
    sample = READERS[kind].read(log, ReadContext(root=tmp_path))
    assert (sample.total_lines, sample.parsed_lines, sample.rejected_lines) == (3, 3, 0)
    assert sorted((item.method, item.path) for item in sample.paths) == [
        ("GET", "/v1/policies/{id}"), ("POST", "/v1/claims")]
    assert any("begins with 3,000,000 NUL bytes" in warning for warning in sample.warnings)


def test_a_file_of_nuls_alone_stays_binary(tmp_path: Path) -> None:
    blank = tmp_path / "access.log"
    blank.write_bytes(b"\x00" * 200_000)
    assert read_head(blank) == b"\x00" * 65536
    assert detect_kind(blank, read_head(blank)) is None


@pytest.mark.parametrize(("first", "chunks", "expected"), [
    (b"GET /", [], (b"GET /", 0)),
    (b"\x00\x00ab", [], (b"ab", 2)),
    (b"\x00\x00", [b"\x00", b"\x00x"], (b"x", 4)),
    (b"\x00", [], (b"", 1)),
])
def test_skip_leading_nuls(first: bytes, chunks: list[bytes], expected: tuple[bytes, int]) -> None:
    given = iter(chunks)
    assert skip_leading_nuls(first, lambda: next(given, b"")) == expected
