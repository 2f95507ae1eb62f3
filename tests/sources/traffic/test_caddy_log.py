"""Caddy JSON access logs: access entries among Caddy's other messages, `uri` split into path and query,
the client Caddy judged, broken entries, `docker compose logs` prefixes (for every JSON-lines gateway
log), secrets in headers, cookies, `user_id` and query strings kept out, and sniffing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from riskscan.model import PathTraffic, SourceKind, TrafficSample
from riskscan.sources import READERS, ReadContext, detect_kind, make_client_hasher, read_head
from riskscan.sources.traffic.jsonl.caddy_log import CaddyLogReader

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
ACCESS = FIXTURES / "caddy_log" / "caddy-access.json"
COMPOSE = FIXTURES / "caddy_log" / "docker-compose-logs.log"
HOST = "api.example-insurer.com"
PLANTED = ("PLANTED", "planted-basic-user", "cGxhbnRlZC1iYXNpYy11c2Vy", "jane.doe", "203.0.113.50", "192.0.2.66",
           "10.0.0.5", "2001:db8::7", "broker-sdk")


def read(path: Path, kind: SourceKind | None = None) -> TrafficSample:
    kind = kind or detect_kind(path, read_head(path))
    assert kind is not None, f"{path.name} not recognised"
    sample = READERS[kind].read(path, ReadContext(root=path.parent, client_id=make_client_hasher(b"caddy-test")))
    assert isinstance(sample, TrafficSample)
    return sample


def by_key(sample: TrafficSample) -> dict[str, PathTraffic]:
    return {f"{item.method} {item.host or ''}{item.path}": item for item in sample.paths}


def comparable(sample: TrafficSample) -> list[object]:
    return [item.model_dump(exclude={"clients", "sample_lines"}) for item in sample.paths]


def test_access_entries_are_read_and_caddy_s_other_messages_passed_over(tmp_path: Path) -> None:
    disguised = tmp_path / "caddy.txt"
    disguised.write_bytes(ACCESS.read_bytes())
    assert detect_kind(disguised, read_head(disguised)) is SourceKind.CADDY_LOG
    sample = read(disguised)
    # 199 lines: 11 of Caddy's own messages (startup, TLS, shutdown: not counted), 181 requests, a status 0
    # and a CONNECT (no request), five broken lines (bad and huge `ts`, no method, cut short, binary).
    assert (sample.format, sample.total_lines, sample.parsed_lines, sample.rejected_lines) == (
        "caddy_json", 188, 181, 7)
    assert "(5 do not parse, 2 have no HTTP request line)" in sample.warnings[0]
    assert sample.distinct_clients == 14
    assert sample.first_seen is not None and sample.first_seen.isoformat() == "2026-11-09T08:00:02+00:00"
    paths = by_key(sample)
    assert set(paths) == {f"{method} {HOST}{path}" for method, path in (
        ("POST", "/v1/auth/token"), ("GET", "/v1/brokers/by-email/{email}"), ("POST", "/v1/claims"),
        ("DELETE", "/v1/claims/{id}"), ("GET", "/v1/claims/{id}"), ("GET", "/v1/health"),
        ("GET", "/v1/policies/{id}"), ("GET", "/v1/policies/{id}/documents"))}  # host lower-cased, port dropped
    claims = paths[f"GET {HOST}/v1/claims/{{id}}"]
    assert claims.query_keys == {"expand": 24, "api_key": 24}  # `uri` split: keys counted, values dropped
    assert paths[f"GET {HOST}/v1/policies/{{id}}/documents"].not_found == 8
    assert paths[f"DELETE {HOST}/v1/claims/{{id}}"].status_classes == {"2xx": 18, "5xx": 6}


def test_an_enumeration_walk_and_a_stuffing_burst_show_per_client() -> None:
    paths = by_key(read(ACCESS))
    [walker] = paths[f"GET {HOST}/v1/policies/{{id}}"].clients
    assert (walker.requests, walker.objects, walker.lowest_id, walker.highest_id) == (50, 50, 2001, 2050)
    [stuffer] = paths[f"POST {HOST}/v1/auth/token"].clients  # client_ip, not the proxy it came through
    assert (stuffer.requests, stuffer.failed_auth, stuffer.peak_failed_auth_per_minute) == (9, 8, 8)


def test_docker_compose_logs_read_as_caddy_wrote_them() -> None:
    sample = read(COMPOSE)
    plain = read(ACCESS)
    assert comparable(sample) == comparable(plain)
    assert sample.distinct_clients == plain.distinct_clients
    # the other service's line in the same capture is one more line that is no Caddy entry
    assert (sample.total_lines, sample.rejected_lines) == (plain.total_lines + 1, plain.rejected_lines + 1)
    assert "at lines 21, " in sample.warnings[0]


@pytest.mark.parametrize("prefix", ["apisix  | ", "gateway-1  | ", "\x1b[36mkong-1  | \x1b[0m"])
def test_any_json_gateway_log_captured_by_docker_compose_reads_the_same(tmp_path: Path, prefix: str) -> None:
    source = FIXTURES / "apisix_log" / "http-logger.jsonl"
    captured = tmp_path / "compose.log"
    captured.write_text("".join(prefix + line for line in source.read_text().splitlines(keepends=True)))
    assert detect_kind(captured, read_head(captured)) is SourceKind.APISIX_LOG
    sample, plain = read(captured), read(source)
    assert comparable(sample) == comparable(plain)
    assert (sample.parsed_lines, sample.distinct_clients) == (plain.parsed_lines, plain.distinct_clients)


def test_a_stream_of_only_caddy_messages_has_no_requests_and_is_not_refused(tmp_path: Path) -> None:
    path = tmp_path / "caddy.json"
    lines = [line for line in ACCESS.read_text(errors="replace").splitlines() if '"handled request"' not in line]
    path.write_text("\n".join(line for line in lines if line.startswith('{"level"')) + "\n")
    sample = read(path, SourceKind.CADDY_LOG)
    assert (sample.total_lines, sample.parsed_lines, sample.paths) == (0, 0, ())
    assert sample.warnings == ("no log lines",)


def test_secrets_in_headers_cookies_user_ids_and_queries_stay_out() -> None:
    for path in (ACCESS, COMPOSE):
        sample = read(path)
        text = repr(sample) + repr(sample.model_dump())
        for planted in PLANTED:
            assert planted not in text


@pytest.mark.parametrize("other", [
    FIXTURES / "apisix_log" / "http-logger.jsonl",
    FIXTURES / "kong_log" / "file-log.jsonl",
    FIXTURES / "envoy_log" / "access.json",
    FIXTURES / "traefik_log" / "access.json",
    FIXTURES / "mapped_log" / "inhouse.jsonl",
    FIXTURES / "access_log" / "combined.log",
    FIXTURES / "haproxy_log" / "syslog-httplog.log",
], ids=lambda path: f"{path.parent.name}/{path.name}")
def test_other_logs_are_not_taken_for_caddy_logs_nor_caddy_logs_for_them(other: Path) -> None:
    assert not CaddyLogReader().sniff(other, read_head(other))
    for path in (ACCESS, COMPOSE):
        assert READERS[detect_kind(other, read_head(other)) or SourceKind.MAPPED_LOG].sniff(path, read_head(path)) \
            is False


def test_caddy_s_startup_messages_alone_are_not_a_caddy_log(tmp_path: Path) -> None:
    path = tmp_path / "startup.json"
    path.write_text("".join(json.dumps({"level": "info", "ts": 1794211200.5 + n, "msg": "serving initial "
                                        "configuration"}) + "\n" for n in range(5)))
    assert detect_kind(path, read_head(path)) is None


def test_the_real_caddy_log_of_the_corpus_reads(corpus_dir: Path) -> None:
    path = corpus_dir / "traffic" / "caddy" / "logfile_caddy_log.0"
    assert detect_kind(path, read_head(path)) is SourceKind.CADDY_LOG
    sample = read(path)
    # 39 lines through docker compose: 35 of Caddy's own messages, four requests from one client
    assert (sample.total_lines, sample.parsed_lines, sample.rejected_lines, sample.distinct_clients) == (4, 4, 0, 1)
    assert {item.path: item.requests for item in sample.paths} == {"/": 3, "/index.html": 1}
    assert "REDACTED" not in repr(sample) and "172.19.0.1" not in repr(sample)


@pytest.mark.parametrize("ts", [
    1794211200.25,  # unix_seconds_float, the default
    1794211200250.5,  # unix_milli_float
    1794211200250000000,  # unix_nano
    "2026-11-09T08:00:00.250Z",  # iso8601 (UTC)
    "2026-11-09T09:00:00.250+0100",  # iso8601 with time_local
    "2026-11-09T08:00:00Z",  # rfc3339
    "2026-11-09T08:00:00.25Z",  # rfc3339_nano
    "2026/11/09 08:00:00",  # wall
    "2026/11/09 08:00:00.250",  # wall_milli
    "09/Nov/2026:08:00:00 +0000",  # common_log
], ids=["seconds", "milli", "nano", "iso8601", "iso8601-local", "rfc3339", "rfc3339-nano", "wall", "wall-milli",
        "common-log"])
def test_every_time_format_caddy_s_encoder_writes_is_read(tmp_path: Path, ts: object) -> None:
    entry = {"level": "info", "ts": ts, "logger": "http.log.access.log0", "msg": "handled request",
             "request": {"client_ip": "192.0.2.98", "method": "GET", "host": HOST, "uri": "/v1/claims/7"},
             "status": 200}
    path = tmp_path / "access.log"
    path.write_text(json.dumps(entry) + "\n" + json.dumps(entry) + "\n")
    sample = read(path)
    assert (sample.parsed_lines, sample.rejected_lines) == (2, 0)
    assert sample.first_seen is not None and sample.first_seen.isoformat() == "2026-11-09T08:00:00+00:00"
