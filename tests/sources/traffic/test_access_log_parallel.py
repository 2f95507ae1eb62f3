"""Large plain logs are read on several cores: the merged result equals a one-process read."""

from __future__ import annotations

import random
from itertools import pairwise
from pathlib import Path

import pytest

from riskscan.model import TrafficSample
from riskscan.sources import ReadContext, make_client_hasher
from riskscan.sources.traffic import access_log_parallel
from riskscan.sources.traffic.access_log import AccessLogReader

LINE = '{ip} - {user} [{day:02d}/Nov/2026:{hour:02d}:{minute:02d}:{second:02d} +0100] "{method} {path} HTTP/1.1" {status} 512 "-" "sdk/2"\n'
PATHS = ["/v2/claims/{n}", "/v2/policies/POL-{n}", "/v2/quotes", "/internal/export", "/wp-login.php"]


def write_log(path: Path, lines: int) -> Path:
    rng = random.Random(11)
    rows = []
    for index in range(lines):
        template = rng.choice(PATHS)
        rows.append(LINE.format(
            ip=f"198.51.100.{rng.randrange(60)}", user=rng.choice(["-", "broker7"]),
            day=9 + index * 7 // lines, hour=rng.randrange(24), minute=rng.randrange(60), second=rng.randrange(60),
            method=rng.choice(["GET", "GET", "POST"]), path=template.format(n=rng.randrange(300)),
            status=404 if "wp-login" in template else rng.choice([200, 200, 201, 401, 500]),
        ))
        if index % 997 == 0:
            rows.append("a junk line that is not a log line\n")
    path.write_text("".join(rows))
    return path


def read(path: Path) -> TrafficSample:
    context = ReadContext(root=path.parent, client_id=make_client_hasher(b"same-salt"))
    return AccessLogReader().read(path, context)


def comparable(sample: TrafficSample) -> TrafficSample:
    """Sample line numbers may differ (each range samples its own first lines); the rest may not."""
    return sample.model_copy(update={"paths": tuple(item.model_copy(update={"sample_lines": ()}) for item in sample.paths)})


def test_a_log_read_on_three_cores_equals_a_one_process_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = write_log(tmp_path / "access.log", 6000)
    alone = read(log)
    monkeypatch.setattr(access_log_parallel, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(access_log_parallel, "usable_cores", lambda: 3)
    assert len(access_log_parallel.plan_ranges(log, make_client_hasher(b"x"))) == 3
    merged: list[int] = []
    merge = access_log_parallel.merge_tally
    monkeypatch.setattr(access_log_parallel, "merge_tally", lambda into, part: (merged.append(part.lines), merge(into, part)))
    together = read(log)
    assert len(merged) == 3  # the three ranges were tallied apart, then merged
    assert comparable(together) == comparable(alone)
    assert together.rejected_lines == alone.rejected_lines > 0
    lines = log.read_text().splitlines()
    for item in together.paths:  # every sample line number still points at a line of that path
        for number in item.sample_lines:
            assert f"{item.method} " in lines[number - 1]


def test_ranges_are_cut_after_a_newline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = write_log(tmp_path / "access.log", 500)
    monkeypatch.setattr(access_log_parallel, "PARALLEL_MIN_BYTES", 0)
    ranges = access_log_parallel.plan_ranges(log, make_client_hasher(b"x"), cores=4)
    data = log.read_bytes()
    assert ranges[0][0] == 0 and ranges[-1][1] == len(data)
    assert all(data[start - 1 : start] == b"\n" for start, _ in ranges[1:])
    assert all(end == start for (_, end), (start, _) in pairwise(ranges))


def test_gzip_and_small_files_are_read_by_one_process(tmp_path: Path) -> None:
    log = write_log(tmp_path / "access.log", 200)
    assert access_log_parallel.plan_ranges(log, make_client_hasher(b"x"), cores=2) == []
    gz = tmp_path / "access.log.gz"
    gz.write_bytes(b"\x1f\x8b" + b"\x00" * 100)
    assert access_log_parallel.plan_ranges(gz, make_client_hasher(b"x"), cores=2) == []


def test_timestamps_out_of_range_are_rejected_in_every_range(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = Path(__file__).resolve().parents[2] / "fixtures" / "access_log" / "out-of-range-timestamps.log"
    log = tmp_path / "access.log"
    log.write_bytes(source.read_bytes() * 3)
    monkeypatch.setattr(access_log_parallel, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(access_log_parallel, "usable_cores", lambda: 3)
    assert len(access_log_parallel.plan_ranges(log, make_client_hasher(b"x"))) == 3
    sample = read(log)
    assert (sample.parsed_lines, sample.rejected_lines) == (24, 18)
    assert sample.last_seen is not None and sample.last_seen.year == 2026
