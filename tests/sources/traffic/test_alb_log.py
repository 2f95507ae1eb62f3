"""AWS ALB access logs: fields by the documented grammar, gzip, enumeration and stuffing signals,
broken files, and secrets that must not survive ingestion."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import polars as pl
import pytest

from riskscan.model import PathTraffic, SourceKind, TrafficSample
from riskscan.sources import ReadContext, detect_kind, make_client_hasher, read_head
from riskscan.sources.traffic.alb_log import AlbLogFormat, AlbLogReader, _slow_request
from riskscan.sources.traffic.line_log import TrafficLogError
from riskscan.sources.traffic.lines import LineBatch

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "alb_log"
CORPUS_ALB = Path(__file__).resolve().parents[4] / "shared" / "corpus" / "traffic" / "aws-elb"
ARN = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/claims-api/73e2d6bc24d8a067"


def entry(when: str, client: str, status: int, request: str) -> str:
    """One ALB entry with today's trailing fields."""
    return (
        f'https {when} app/claims-alb/50dc6c495c0c9188 {client} 10.0.3.17:8080 0.001 0.013 0.000 {status} '
        f'{status} 412 1093 "{request}" "okhttp/4.12.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 {ARN} '
        f'"Root=1-6929a1b0-36d228ad5d99923122bbe354" "api.example-insurer.com" "-" 3 {when} "forward" "-" "-" '
        f'"10.0.3.17:8080" "{status}" "-" "-" TID_1a2b3c4d\n'
    )


def read(path: Path) -> TrafficSample:
    return AlbLogReader().read(path, ReadContext(root=path.parent, client_id=make_client_hasher(b"alb-test")))


def by_key(sample: TrafficSample) -> dict[str, PathTraffic]:
    return {f"{item.method} {item.host or ''}{item.path}": item for item in sample.paths}


def test_entries_become_endpoints_with_host_status_and_query_keys() -> None:
    sample = read(FIXTURES / "alb-api.log")
    assert (sample.format, sample.total_lines, sample.parsed_lines, sample.rejected_lines) == ("alb", 15, 13, 2)
    paths = by_key(sample)
    claim = paths["GET api.example-insurer.com/v1/claims/{id}"]
    assert claim.requests == 4  # entries with and without the trailing fields AWS added over the years
    assert claim.query_keys == {"expand": 1, "page": 1}
    [client] = claim.clients  # one client address, whatever its source port
    assert (client.lowest_id, client.highest_id, client.objects) == (100234, 100238, 4)
    assert paths["POST api.example-insurer.com/v1/claims"].status_classes == {"2xx": 1}  # host lower-cased
    assert paths["GET api.example-insurer.com/v1/policies/{id}/documents"].not_found == 1
    token = paths["POST api.example-insurer.com/v1/auth/token"]
    assert (token.unauthorized, token.throttled) == (1, 1)  # elb_status_code, though no target answered
    assert paths["DELETE api.example-insurer.com/v1/claims/{id}"].status_classes == {"5xx": 1}
    assert "GET api.example-insurer.com/v1/claims/stream" in paths  # a WebSocket entry
    assert "GET api.example-insurer.com/v1/health" in paths  # the URL had an IP address: the SNI name is used
    assert "GET api.example-insurer.com/v1/docs/r\u00e9sum\u00e9.pdf" in paths  # an escaped quote: the slow path
    assert sample.distinct_clients == 5  # the IPv6 client in brackets counts once
    assert sample.first_seen is not None and sample.first_seen.isoformat() == "2026-11-09T08:00:01+00:00"
    assert "lines 13, 14" in sample.warnings[0]  # a malformed request and a `-` status: no request


def test_gzip_as_s3_delivers_it_reads_the_same(tmp_path: Path) -> None:
    packed = tmp_path / "123456789012_elasticloadbalancing_eu-west-1_app.claims-alb_20261109T0805Z_10.0.0.1_x.log.gz"
    with (FIXTURES / "alb-api.log").open("rb") as source, gzip.open(packed, "wb") as target:
        shutil.copyfileobj(source, target)
    assert detect_kind(packed, read_head(packed)) == SourceKind.ALB_LOG
    assert read(packed).paths == read(FIXTURES / "alb-api.log").paths


def assert_fast_path_agrees(data: bytes) -> None:
    """Every line the vectorised pattern takes gives the row the reference parser gives."""
    batch = LineBatch(1, data)
    parsed = AlbLogFormat().parse(batch, batch.frame())
    rows = {row[0]: row[1:] for row in parsed.requests.sort("line").iter_rows()}
    for number, line in enumerate(data.split(b"\n")[:-1], start=1):
        expected = _slow_request(line)
        if isinstance(expected, tuple):
            assert rows[number] == expected, number
        else:
            assert number not in rows


def test_fast_path_agrees_with_the_documented_grammar() -> None:
    assert_fast_path_agrees((FIXTURES / "alb-api.log").read_bytes())


@pytest.mark.parametrize(
    "request_line",
    [
        "GET HTTPS://API.example.com:443/a HTTP/1.1",  # upper-case scheme: the slow path
        "GET ws://api.example.com:80/socket HTTP/1.1",  # not an HTTP URL: no request either way
        "GET https://cafe:443/menu?x=1 HTTP/1.1",  # a host of hex letters is no IP address
        "GET https://10.0.0.7:443/v1/x HTTP/1.1",  # an IP address: the SNI name
        "GET https://[2001:db8::7]:443/v1/x?a=1&b HTTP/1.1",
        "get https://api.example.com:443/a/?#frag HTTP/2.0",
    ],
)
def test_fast_path_agrees_on_odd_requests(request_line: str) -> None:
    line = entry("2026-11-09T08:00:00.000000Z", "203.0.113.5:1", 200, request_line)
    assert_fast_path_agrees(line.encode())


def test_enumeration_and_stuffing_show_per_client(tmp_path: Path) -> None:
    lines = [entry(f"2026-11-09T08:{n // 60:02d}:{n % 60:02d}.000000Z", f"203.0.113.5:{40000 + n}", 200,
                   f"GET https://api.example-insurer.com:443/v1/policies/{5000 + n} HTTP/1.1") for n in range(120)]
    lines += [entry(f"2026-11-09T09:00:{n % 60:02d}.000000Z", f"198.51.100.66:{30000 + n}", 401,
                    "POST https://api.example-insurer.com:443/v1/auth/login HTTP/1.1") for n in range(40)]
    log = tmp_path / "alb.log"
    log.write_text("".join(lines))
    paths = by_key(read(log))
    [walker] = paths["GET api.example-insurer.com/v1/policies/{id}"].clients
    assert (walker.objects, walker.lowest_id, walker.highest_id) == (120, 5000, 5119)
    [stuffer] = paths["POST api.example-insurer.com/v1/auth/login"].clients
    assert (stuffer.failed_auth, stuffer.peak_failed_auth_per_minute) == (40, 40)


@pytest.mark.parametrize(
    ("name", "rejected", "where"),
    [
        ("bad-timestamps.log", 3, "lines 2, 3, 4"),  # month 13, 30 February at 25:61, a CLF timestamp
        ("truncated-last-line.log", 1, "line 4"),
        ("mixed-with-combined.log", 1, "line 5"),  # an nginx line in an ALB log
    ],
)
def test_a_bad_entry_costs_that_entry(name: str, rejected: int, where: str) -> None:
    sample = read(FIXTURES / name)
    assert sample.rejected_lines == rejected
    assert sample.parsed_lines == sample.total_lines - rejected
    assert where in sample.warnings[0]


def test_binary_data_is_refused_in_one_line_naming_the_file() -> None:
    path = FIXTURES / "binary-garbage.log"
    assert detect_kind(path, read_head(path)) is None
    with pytest.raises(TrafficLogError, match=r"^binary-garbage\.log: not an ALB access log: \d+ of \d+ lines"):
        read(path)


def test_other_logs_are_not_taken_for_alb_logs() -> None:
    combined = b'198.51.100.7 - - [09/Nov/2026:08:00:01 +0000] "GET /v1/claims/1 HTTP/1.1" 200 12 "-" "sdk/1"\n'
    assert not AlbLogReader().sniff(Path("access.log"), combined * 5)
    nlb = (b"tls 2.0 2020-04-01T08:51:42 net/my-nlb/c6e77e28c25b2234 g3d4b5e8bb8464cd 72.21.218.154:51341 "
           b"172.100.100.185:443 5 2 98 246 - arn:aws:acm:us-east-2:671290407336:certificate/x - "
           b'ECDHE-RSA-AES128-SHA tlsv12 - my-nlb.elb.us-east-2.amazonaws.com h2 h2 "h2","http/1.1" 2020-04-01T08:51:20\n')
    assert not AlbLogReader().sniff(Path("nlb.log"), nlb)


def test_secrets_in_urls_user_agents_and_redirects_stay_out() -> None:
    sample = read(FIXTURES / "hostile-secrets.log")
    text = repr(sample)
    for secret in ("jane.doe@mail-example.com", "AKIAIOSFODNN7EXAMPLE", "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
                   "eyJhbGciOiJIUzI1NiJ9", "hunter2-horse-55555", "4111111111111111", "198.51.100.50", "admin"):
        assert secret not in text
    assert set(by_key(sample)) == {
        "GET api.example-insurer.com/v1/reset/{email}",
        "GET api.example-insurer.com/v1/sessions/{token}",
        "GET api.example-insurer.com/v1/claims/{card}",
    }


@pytest.mark.skipif(not CORPUS_ALB.is_dir(), reason="the shared corpus (../shared/corpus/traffic/aws-elb) is absent")
def test_the_aws_documented_entries_read() -> None:
    path = CORPUS_ALB / "alb_al_valid_logs.log"
    assert detect_kind(path, read_head(path)) == SourceKind.ALB_LOG
    sample = read(path)
    assert (sample.parsed_lines, sample.distinct_clients) == (2, 2)  # an IPv4 and a bracketed IPv6 client
    [root] = sample.paths
    assert (root.method, root.host, root.path, root.requests) == ("GET", "www.example.com", "/", 2)
    nlb = CORPUS_ALB / "nlb_al_valid_logs.log"
    assert detect_kind(nlb, read_head(nlb)) is None  # a Network Load Balancer log has no HTTP requests


def test_polars_frame_of_a_batch_is_all_the_format_needs() -> None:
    """`parse` reads only the frame's lines (and the batch's bytes for slow lines): no file access."""
    data = entry("2026-11-09T08:00:00.000000Z", "203.0.113.5:1", 200,
                 "GET https://api.example-insurer.com:443/v1/x HTTP/1.1").encode()
    batch = LineBatch(7, data)
    parsed = AlbLogFormat().parse(batch, batch.frame())
    assert parsed.requests.select("line", "method", "host", "path", "status").rows() == [
        (7, "GET", "api.example-insurer.com", "/v1/x", 200)]
    assert parsed.requests.schema["epoch"] == pl.Int64
