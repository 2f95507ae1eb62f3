"""The traffic engine: vectorised folding and parsing agree with the reference rules, batches merge
exactly, and what it keeps (per-client spans, failed-auth bursts, request peaks per minute, query
keys) is right and safe."""

from __future__ import annotations

import gzip
import re
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
import zstandard
from hypothesis import given, settings
from hypothesis import strategies as st

from riskscan.model import TrafficSample
from riskscan.sources import ReadContext, make_client_hasher
from riskscan.sources.traffic import engine, lines
from riskscan.sources.traffic.access_log import AccessLogReader, CombinedLogFormat
from riskscan.sources.traffic.access_log_parse import slow_request
from riskscan.sources.traffic.engine import (
    _LAST_NUMBER,
    TrafficAggregator,
    fold_expression,
    last_number,
    requests_from_rows,
)
from riskscan.sources.traffic.lines import LineBatch
from riskscan.sources.traffic.reduce import UUID, reduce_path

SEGMENTS = st.one_of(
    st.integers(0, 10**14).map(str),
    st.from_regex(UUID, fullmatch=True),
    st.from_regex(r"[A-Za-z]{1,7}-[0-9]{1,10}(-[0-9]{1,10})?", fullmatch=True),
    st.from_regex(r"[A-Za-z]{1,6}(-(19|20)[0-9]{2}){1,3}", fullmatch=True),
    st.sampled_from(["v1", "accounts", "claims", "", "FY-2024-Q1", "x-1-2-3", "a1b2c3d4e5f6", "{id}"]),
    st.text(alphabet="0123456789abcdefXYZ-_.", max_size=14),
)
HASHER = make_client_hasher(b"engine-test")


def read(path: Path) -> TrafficSample:
    return AccessLogReader().read(path, ReadContext(root=path.parent, client_id=HASHER))


def line(client: str, when: str, request: str, status: int, agent: str = "sdk/1") -> str:
    return f'{client} - - [{when} +0000] "{request}" {status} 12 "-" "{agent}"\n'


@settings(max_examples=150)
@given(st.lists(SEGMENTS, min_size=1, max_size=7))
def test_vectorised_folding_agrees_with_reduce_path(segments: list[str]) -> None:
    paths = ["/" + "/".join(segments), "/" + "/".join(segments) + "/"]
    folded = pl.DataFrame({"path": paths}).select(fold_expression(pl.col("path")))["path"].to_list()
    for path, partly in zip(paths, folded, strict=True):
        assert reduce_path(partly)[0] == reduce_path(path)[0]


@settings(max_examples=300)
@given(st.lists(SEGMENTS, min_size=0, max_size=7), st.booleans())
def test_the_last_number_is_reduce_paths_and_the_spark_patterns(segments: list[str], slash: bool) -> None:
    """Polars takes the last numeric id with a pattern anchored at the end (fast); reduce_path and
    Spark's greedy pattern (Java regex) must give the same number."""
    path = "/" + "/".join(segments) + ("/" if slash else "")
    [number] = pl.DataFrame({"path": [path]}).select(last_number(pl.col("path")))["path"].to_list()
    assert number == reduce_path(path)[1]
    greedy = re.match(_LAST_NUMBER, path)
    assert number == (int(greedy[1]) if greedy else None)


TOKENS = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\n\r"), min_size=1, max_size=12)
TARGETS = st.one_of(
    st.from_regex(r"/[a-zA-Z0-9/._~%-]{0,30}(\?[a-z_]{1,6}=[^ #\"\n\r]{0,8}(&[a-z]{1,4}=[0-9]{1,3})?)?(#[a-z]{0,4})?", fullmatch=True),
    st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\n\r"), max_size=20),
    st.sampled_from(["*", "http://API.example.com:8443/v1/a?x=1", "/a b", "/\u00e9t\u00e9", "-"]),
)


@settings(max_examples=150)
@given(
    client=st.one_of(st.sampled_from(["192.0.2.7", "2001:db8::1", "-"]), TOKENS.filter(lambda t: " " not in t)),
    user=st.one_of(st.just("-"), st.just('"a b"'), TOKENS.filter(lambda t: " " not in t)),
    vhost=st.one_of(st.none(), st.sampled_from(["api.example.com:443", "[2001:db8::1]:80", "-"])),
    method=st.sampled_from(["GET", "post", "PROPFIND", "G3T", ""]),
    target=TARGETS,
    protocol=st.sampled_from([" HTTP/1.1", " HTTP/2.0", "", " FOO"]),
    status=st.sampled_from([200, 204, 401, 403, 404, 429, 503, 600, 99]),
    when=st.sampled_from(["09/Nov/2026:08:00:01 +0000", "31/Feb/2026:08:00:01 +0100", "09/Nov/2026:08:00:60 -0230"]),
)
def test_the_fast_path_agrees_with_the_tolerant_rules(
    client: str, user: str, vhost: str | None, method: str, target: str, protocol: str, status: int, when: str
) -> None:
    text = f'{client} - {user} [{when}] "{method} {target}{protocol}" {status} 12 "-" "agent"'
    if vhost is not None:
        text = f"{vhost} {text}"
    batch = LineBatch(7, text.encode())
    parsed = CombinedLogFormat().parse(batch, batch.frame())
    expected = slow_request(text.encode())
    if isinstance(expected, str):
        assert parsed.requests.height == 0
        assert (parsed.malformed if expected == "malformed" else parsed.not_requests) == [7]
    else:
        assert parsed.requests.rows() == [(7, *expected)]


def test_partial_aggregates_merge_exactly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "access.log"
    rows = [line(f"198.51.100.{n % 7}", f"09/Nov/2026:08:{n // 60 % 60:02d}:{n % 60:02d}",
                 f"GET /v1/accounts/{n % 50}/payments?page={n}&api_key=sk_live_{n:08d} HTTP/1.1",
                 (200, 401, 404, 429)[n % 4]) for n in range(3000)]
    log.write_text("".join(rows))
    whole = read(log)
    monkeypatch.setattr(lines, "_FIRST_BATCH", 4096)
    monkeypatch.setattr(lines, "_LAST_BATCH", 8192)
    monkeypatch.setattr(engine, "_MERGE_ROWS", 10)
    assert read(log) == whole
    [payments] = whole.paths
    assert (payments.path, payments.requests, payments.objects) == ("/v1/accounts/{id}/payments", 3000, 50)
    assert (payments.not_found, payments.unauthorized, payments.throttled) == (750, 750, 750)
    assert payments.query_keys == {"page": 3000, "api_key": 3000}
    assert len(payments.clients) == 7 and sum(client.requests for client in payments.clients) == 3000


def test_query_values_are_never_kept(tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    log.write_text(line("192.0.2.1", "09/Nov/2026:08:00:00", "GET /v1/a?api_key=sk_live_SECRET1&token=abc HTTP/1.1", 200))
    sample = read(log)
    assert sample.paths[0].query_keys == {"api_key": 1, "token": 1}
    assert "SECRET1" not in repr(sample.model_dump())


def test_each_client_keeps_its_window_span_and_failed_auth_bursts(tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    stuffing = [line("203.0.113.9", f"09/Nov/2026:08:00:{second:02d}", "POST /v1/auth/login HTTP/1.1", 401)
                for second in range(40)]
    stuffing += [line("203.0.113.9", f"09/Nov/2026:08:{minute:02d}:00", "POST /v1/auth/login HTTP/1.1", 401)
                 for minute in range(1, 6)]
    walking = [line("198.51.100.4", f"09/Nov/2026:09:00:{n:02d}", f"GET /v1/accounts/{1000 + n} HTTP/1.1", 200)
               for n in range(30)]
    log.write_text("".join(stuffing + walking))
    paths = {item.path: item for item in read(log).paths}
    [stuffer] = paths["/v1/auth/login"].clients
    assert (stuffer.failed_auth, stuffer.peak_failed_auth_per_minute) == (45, 40)
    [walker] = paths["/v1/accounts/{id}"].clients
    assert (walker.objects, walker.lowest_id, walker.highest_id) == (30, 1000, 1029)
    assert walker.first_seen == datetime(2026, 11, 9, 9, 0, 0, tzinfo=UTC)
    assert walker.last_seen == datetime(2026, 11, 9, 9, 0, 29, tzinfo=UTC)


def test_protected_literals_are_not_folded_nor_what_lies_under_them() -> None:
    aggregator = TrafficAggregator(HASHER, protected_paths=frozenset({"/v1/reports/2024", "/v1/tenants/1042"}))
    aggregator.add(requests_from_rows([
        (1, "192.0.2.1", 1_700_000_000, "GET", None, "/v1/reports/2024", None, 200),
        (2, "192.0.2.1", 1_700_000_001, "GET", None, "/v1/reports/2023", None, 200),
        (3, "192.0.2.1", 1_700_000_002, "GET", None, "/v1/tenants/1042/users/77", None, 200),
        (4, "192.0.2.1", 1_700_000_003, "GET", None, "/v1/tenants/10420/users/77", None, 200),
    ]))
    assert sorted(item.path for item in aggregator.result().paths) == [
        "/v1/reports/2024", "/v1/reports/{id}", "/v1/tenants/1042/users/{id}", "/v1/tenants/{id}/users/{id}"]


def test_zstd_and_gzip_logs_read_as_the_plain_one(tmp_path: Path) -> None:
    text = "".join(line(f"192.0.2.{n % 9}", f"09/Nov/2026:08:00:{n % 60:02d}", f"GET /v1/claims/CLM-2026-{n:06d} HTTP/1.1", 200)
                   for n in range(500)).encode()
    plain, zipped, zstd = tmp_path / "a.log", tmp_path / "b.log", tmp_path / "c.log"
    plain.write_bytes(text)
    zipped.write_bytes(gzip.compress(text))
    zstd.write_bytes(zstandard.ZstdCompressor().compress(text[:20000]) + zstandard.ZstdCompressor().compress(text[20000:]))
    expected = read(plain).paths
    assert read(zipped).paths == expected
    assert read(zstd).paths == expected


def test_a_truncated_zstd_log_keeps_what_was_read_and_says_so(tmp_path: Path) -> None:
    text = "".join(line("192.0.2.1", "09/Nov/2026:08:00:00", f"GET /v1/claims/{n} HTTP/1.1", 200) for n in range(2000))
    log = tmp_path / "access.log.zst"
    log.write_bytes(zstandard.ZstdCompressor().compress(text.encode())[:-40])
    sample = read(log)
    assert 0 < sample.paths[0].requests < 2000
    assert any(warning.startswith("truncated zstd stream after") for warning in sample.warnings)


def test_each_client_keeps_its_most_requests_in_one_clock_minute() -> None:
    # rate-peaks.log: 192.0.2.10 makes 7, 12 and 3 requests in 08:00, 08:01 and 08:02 (lines out of
    # order); 192.0.2.20 makes 12 in 08:05 and 12 in 08:03; 198.51.100.7 makes 5 in 08:01.
    sample = read(Path(__file__).resolve().parents[2] / "fixtures" / "access_log" / "rate-peaks.log")
    paths = {item.path: item for item in sample.paths}
    peaks = {(c.requests, c.peak_requests_per_minute, c.peak_minute) for c in paths["/v1/quotes/{id}"].clients}
    minute = lambda m: datetime(2026, 11, 9, 8, m, tzinfo=UTC)  # noqa: E731
    assert peaks == {(22, 12, minute(1)), (5, 5, minute(1))}
    [shared] = paths["/v1/quotes"].clients
    assert (shared.requests, shared.peak_requests_per_minute, shared.peak_minute) == (24, 12, minute(3))


def test_a_minute_split_across_batches_is_counted_whole() -> None:
    aggregator = TrafficAggregator(HASHER)
    start = 1_700_000_070  # 30 s into a clock minute
    for batch in range(3):  # 30 requests within one minute, then 5 in the next, over three batches
        aggregator.add(requests_from_rows(
            (n, "192.0.2.1", start + (n % 20), "GET", None, f"/v1/a/{n}", None, 200)
            for n in range(batch * 10, batch * 10 + 10)
        ))
    aggregator.add(requests_from_rows(
        (n, "192.0.2.1", start + 30 + n, "GET", None, f"/v1/a/{n}", None, 200) for n in range(5)
    ))
    [path] = aggregator.result().paths
    [client] = path.clients
    assert (client.requests, client.peak_requests_per_minute) == (35, 30)
    assert client.peak_minute == datetime.fromtimestamp(start // 60 * 60, UTC)
