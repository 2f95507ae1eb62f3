"""Logs captured with `docker compose logs` or `docker logs`, or kept by a Kubernetes node's container
runtime (CRI): every line-oriented traffic format reads them as its server wrote them. Compose-prefixed nginx, ALB and HAProxy captures (one coloured with
`--timestamps`, one with other services' lines, one cut off mid-line) give the endpoints, counts and
clients of the same log without the prefix; every line format reads every prefix shape; a log without
the prefix is never taken for one; docker's receive time never replaces the log's own."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path

import pytest

from riskscan.model import SourceKind, TrafficSample
from riskscan.sources import READERS, ReadContext, detect_kind, make_client_hasher, read_head
from riskscan.sources.traffic.docker_prefix import is_docker_prefixed, plain_head
from riskscan.sources.traffic.jsonl.fields import FieldMap, parse_log_fields
from riskscan.sources.traffic.nlb_log import is_nlb_log

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
COMPOSE_CAPTURES = [  # (capture, the same log as the server wrote it)
    ("access_log/compose-nginx.log", "access_log/combined.log"),
    ("access_log/compose-colour-timestamps.log", "access_log/combined.log"),
    ("access_log/docker-logs-timestamps.log", "access_log/combined.log"),  # `docker logs --timestamps nginx`
    ("access_log/kubernetes-cri.log", "access_log/combined.log"),  # a node's /var/log/containers/*.log
    ("access_log/compose-truncated.log", "access_log/truncated-last-line.log"),
    ("alb_log/compose-alb.log", "alb_log/alb-api.log"),
    ("haproxy_log/compose-haproxy.log", "haproxy_log/syslog-httplog.log"),
]
PLAIN_LOGS = [  # one log of every line-oriented kind a scan detects by content
    "access_log/combined.log", "access_log/vhost_combined.log", "alb_log/alb-api.log",
    "haproxy_log/syslog-httplog.log", "cloudfront_log/distribution.log", "iis_log/u_ex261130.log",
    "envoy_log/default-text.log", "envoy_log/access.json", "apisix_log/http-logger.jsonl",
    "kong_log/file-log.jsonl", "traefik_log/access.json", "caddy_log/caddy-access.json",
]
PREFIXES = {
    "compose": b"web-1  | ",
    "compose-v1": b"gateway_1  | ",
    "compose-colour": b"\x1b[32mgateway-1  | \x1b[0m",
    "compose-timestamps": b"api-1  | 2026-11-02T10:00:00.123456789Z ",
    "docker-timestamps": b"2026-11-02T10:00:00.123456789Z ",
    "kubernetes-cri": b"2026-11-02T10:00:00.1234567Z stdout F ",  # containerd / CRI-O: zeros trimmed
    "kubernetes-cri-offset": b"2026-11-02T11:00:00+01:00 stderr F ",
}


def read(path: Path, fields: FieldMap | None = None) -> tuple[SourceKind, TrafficSample]:
    kind = detect_kind(path, read_head(path), log_fields=fields)
    assert kind is not None, f"{path.name} not recognised"
    context = ReadContext(root=path.parent, client_id=make_client_hasher(b"docker-test"), log_fields=fields)
    sample = READERS[kind].read(path, context)
    assert isinstance(sample, TrafficSample)
    return kind, sample


def endpoints(sample: TrafficSample) -> list[object]:
    """Every endpoint with its counts, statuses and per-client figures; line numbers aside."""
    return [item.model_dump(exclude={"sample_lines", "verbose_error_lines"}) for item in sample.paths]


def counts(sample: TrafficSample) -> tuple[object, ...]:
    return (sample.format, sample.total_lines, sample.parsed_lines, sample.rejected_lines, sample.distinct_clients,
            sample.first_seen, sample.last_seen)


def prefixed(source: Path, target: Path, prefix: bytes) -> Path:
    """`source` as docker would have printed it: `prefix` before every line, blank lines included."""
    data = source.read_bytes()
    lines = data.split(b"\n")
    body = b"\n".join(prefix + line for line in (lines[:-1] if data.endswith(b"\n") else lines))
    target.write_bytes(body + (b"\n" if data.endswith(b"\n") else b""))
    return target


@pytest.mark.parametrize(("capture", "plain"), COMPOSE_CAPTURES, ids=[pair[0] for pair in COMPOSE_CAPTURES])
def test_a_compose_capture_reads_as_the_log_the_server_wrote(capture: str, plain: str) -> None:
    (kind, sample), (plain_kind, reference) = read(FIXTURES / capture), read(FIXTURES / plain)
    assert kind is plain_kind
    assert endpoints(sample) == endpoints(reference)
    assert counts(sample) == counts(reference)
    assert sample.warnings == reference.warnings  # the same rejected lines, at the same line numbers
    assert "PLANTED" not in repr(sample)


def test_other_services_lines_are_rejected_and_counted_like_any_line_that_does_not_parse() -> None:
    _, sample = read(FIXTURES / "access_log" / "compose-mixed-services.log")
    _, reference = read(FIXTURES / "access_log" / "combined.log")
    assert endpoints(sample) == endpoints(reference)
    # five lines of the API and the database; nginx's one empty line is blank, not counted
    assert (sample.total_lines, sample.parsed_lines, sample.rejected_lines) == (17, 12, 5)
    assert sample.warnings == ("5 of 17 lines rejected (5 do not parse, 0 have no HTTP request line) "
                               "at lines 1, 2, 3, 8, 14",)


def test_docker_s_receive_time_never_replaces_the_log_s_own() -> None:
    _, sample = read(FIXTURES / "access_log" / "compose-colour-timestamps.log")  # docker's times an hour later
    assert sample.first_seen == datetime(2026, 11, 9, 8, 0, 1, tzinfo=UTC)
    assert sample.last_seen == datetime(2026, 11, 9, 8, 4, 0, tzinfo=UTC)


@pytest.mark.parametrize("shape", PREFIXES)
@pytest.mark.parametrize("name", PLAIN_LOGS)
def test_every_line_format_reads_every_prefix_shape(tmp_path: Path, name: str, shape: str) -> None:
    source = FIXTURES / name
    capture = prefixed(source, tmp_path / source.name, PREFIXES[shape])
    (kind, sample), (plain_kind, reference) = read(capture), read(source)
    assert kind is plain_kind
    assert endpoints(sample) == endpoints(reference)
    assert counts(sample) == counts(reference)


@pytest.mark.parametrize("name", ["export.csv", "inhouse.jsonl"])
def test_a_mapped_log_through_docker_reads_through_its_mapping(tmp_path: Path, name: str) -> None:
    source, fields = FIXTURES / "mapped_log" / name, parse_log_fields(str(FIXTURES / "mapped_log" / "fields.yaml"))
    if name == "inhouse.jsonl":
        fields = parse_log_fields("time=ts,method=http.verb,path=http.target,status=http.code,host=http.vhost,"
                                  "client=peer.ip")
    capture = prefixed(source, tmp_path / name, PREFIXES["compose-timestamps"])
    (kind, sample), (_, reference) = read(capture, fields), read(source, fields)
    assert kind is SourceKind.MAPPED_LOG and sample.paths
    assert (endpoints(sample), counts(sample)) == (endpoints(reference), counts(reference))


def test_a_gzip_compose_capture_reads_as_the_plain_one(tmp_path: Path) -> None:
    capture = tmp_path / "nginx.log.gz"
    capture.write_bytes(gzip.compress((FIXTURES / "access_log" / "compose-nginx.log").read_bytes()))
    (kind, sample), (_, reference) = read(capture), read(FIXTURES / "access_log" / "combined.log")
    assert kind is SourceKind.ACCESS_LOG
    assert (endpoints(sample), counts(sample)) == (endpoints(reference), counts(reference))


def test_an_nlb_log_through_docker_is_still_recognised_and_skipped(tmp_path: Path) -> None:
    entry = (b"tls 2.0 2026-11-09T08:00:01 net/claims-nlb/1ee0e4a3b1c2d3e4 listener/0123456789abcdef "
             b"198.51.100.7:51234 10.0.3.17:443 5 2 98 246 - arn:aws:acm:eu-west-1:123456789012:certificate/x - "
             b"ECDHE-RSA-AES128-SHA tlsv12 - api.example-insurer.com - - - 2026-11-09T08:00:01\n")
    assert is_nlb_log(entry * 3)
    assert is_nlb_log(b"nlb-logs-1  | " + b"nlb-logs-1  | ".join([entry] * 3))


@pytest.mark.parametrize("name", [*PLAIN_LOGS, "access_log/mixed-junk.log", "alb_log/mixed-with-combined.log",
                                  "mapped_log/export.csv", "mapped_log/inhouse.jsonl"])
def test_a_log_without_the_prefix_is_never_taken_for_a_prefixed_one(name: str) -> None:
    head = read_head(FIXTURES / name)
    assert not is_docker_prefixed(head)
    assert plain_head(head) == head


@pytest.mark.parametrize("line", [
    b"2026-11-09T08:10:00.123456+00:00 lb-1 haproxy[7]: 198.51.100.11:41115 [09/Nov/2026:08:10:00.000] x",  # rsyslog
    b"https 2026-11-09T08:00:01.186641Z app/claims-alb/50dc6c495c0c9188 198.51.100.7:51234 10.0.3.17:8080",
    b"2026-11-09 08:00:01 GET /v1/claims - 443 - 198.51.100.7 okhttp/4.12.0 - 200 0 0 13",  # IIS
    b"[2026-11-09T08:00:01.000Z] \"GET /v1/claims HTTP/1.1\" 200 - 0 412 13 12 \"-\" \"okhttp/4.12.0\"",  # Envoy
    b"| service | status |",  # a table row
])
def test_lines_that_start_alike_are_no_docker_prefix(line: bytes) -> None:
    assert not is_docker_prefixed(line + b"\n" + line + b"\n")
