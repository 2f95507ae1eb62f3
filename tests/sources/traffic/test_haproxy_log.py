"""HAProxy HTTP/HTTPS logs: every syslog prefix (and none), the request line's fields, enumeration and
stuffing signals, connections and messages that are no requests, broken lines, secrets in captured
headers and URLs kept out, and sniffing against the other line formats."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskscan.model import PathTraffic, SourceKind, TrafficSample
from riskscan.sources import ReadContext, detect_kind, make_client_hasher, read_head
from riskscan.sources.traffic.haproxy_log import HaproxyLogReader
from riskscan.sources.traffic.line_log import TrafficLogError

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
LOG = FIXTURES / "haproxy_log" / "syslog-httplog.log"
PLANTED = ("PLANTED", "cGxhbnRlZC1iYXNpYy11c2Vy", "planted-basic-user", "jane.doe", "203.0.113.50", "192.0.2.66",
           "2001:db8::7", "broker-sdk", "Mozilla")
ENTRY = ('{prefix}192.0.2.10:41113 [09/Nov/2026:08:10:00.250] https_in~ claims_api/app1 0/0/1/12/13 {status} 512 '
         '- - ---- 3/3/1/1/0 0/0 {{a "quoted" header|x}} {{}} "{request}"{tls}')


def read(path: Path) -> TrafficSample:
    return HaproxyLogReader().read(path, ReadContext(root=path.parent, client_id=make_client_hasher(b"ha-test")))


def by_key(sample: TrafficSample) -> dict[str, PathTraffic]:
    return {f"{item.method} {item.host or ''}{item.path}": item for item in sample.paths}


def write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "haproxy.log"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_the_log_is_detected_by_content_and_its_requests_become_endpoints(tmp_path: Path) -> None:
    disguised = tmp_path / "messages"
    disguised.write_bytes(LOG.read_bytes())
    assert detect_kind(disguised, read_head(disguised)) is SourceKind.HAPROXY_LOG
    sample = read(disguised)
    # 211 lines: 5 of HAProxy's own messages (neither requests nor rejected), 197 requests, 4 entries
    # without a request (<BADREQ>, status -1, an SSL handshake failure, a TCP entry), 5 broken lines.
    assert (sample.format, sample.total_lines, sample.parsed_lines, sample.rejected_lines) == (
        "haproxy_http", 206, 197, 9)
    assert "(5 do not parse, 4 have no HTTP request line) at lines 201, 202, 203, 204, 206, ..." in sample.warnings[0]
    assert sample.distinct_clients == 16
    assert sample.first_seen is not None and sample.first_seen.isoformat() == "2026-11-09T08:00:02+00:00"
    paths = by_key(sample)
    assert set(paths) == {
        "GET /admin/config", "POST /v1/auth/token", "GET /v1/brokers/by-email/{email}", "POST /v1/claims",
        "DELETE /v1/claims/{id}", "GET /v1/claims/{id}", "GET /v1/health", "GET /v1/policies/{id}",
        "GET /v1/policies/{id}/documents", "GET /v1/quotes/{id}", "GET api.example-insurer.com/v1/quotes/{id}",
    }
    assert paths["GET /v1/claims/{id}"].query_keys == {"expand": 21}  # one of them an `httplog clf` entry
    assert paths["GET /v1/quotes/{id}"].query_keys == {"lang": 20, "access_token": 20}  # keys, never values
    assert paths["GET /v1/policies/{id}/documents"].not_found == 4
    assert paths["GET /admin/config"].unauthorized == 1  # denied by HAProxy itself (<NOSRV>): still a request


def test_an_enumeration_walk_and_a_stuffing_burst_show_per_client() -> None:
    paths = by_key(read(LOG))
    [walker] = paths["GET /v1/policies/{id}"].clients
    assert (walker.requests, walker.objects, walker.lowest_id, walker.highest_id) == (60, 60, 1001, 1060)
    [stuffer] = paths["POST /v1/auth/token"].clients
    assert (stuffer.requests, stuffer.failed_auth, stuffer.peak_failed_auth_per_minute) == (9, 8, 8)


@pytest.mark.parametrize("prefix", [
    "Nov  9 08:10:00 lb-1 haproxy[7]: ",  # RFC 3164, as syslog daemons write it
    "2026-11-09T08:10:00.123456+00:00 lb-1 haproxy[7]: ",  # rsyslog's high-precision timestamps
    "<134>Nov  9 08:10:00 haproxy[7]: ",  # RFC 3164 as HAProxy sends it (no host): `log stdout format rfc3164`
    "<134>1 2026-11-09T08:10:00.123456+00:00 lb-1 haproxy 7 - - ",  # RFC 5424
    "<134>",  # HAProxy's `short` format
    "",  # `log stdout format raw`
    "haproxy-1  | ",  # `docker compose logs`
    "\x1b[36mhaproxy-1  | \x1b[0m",  # the same, coloured
], ids=["rfc3164", "iso", "rfc3164-no-host", "rfc5424", "short", "raw", "compose", "compose-colour"])
def test_every_prefix_gives_the_same_request(tmp_path: Path, prefix: str) -> None:
    line = ENTRY.format(prefix=prefix, status=200, request="GET /v1/claims/42?expand=x HTTP/1.1", tls="")
    path = write(tmp_path, line, line.replace("41113", "41114"))
    assert detect_kind(path, read_head(path)) is SourceKind.HAPROXY_LOG
    sample = read(path)
    [claims] = sample.paths
    assert (claims.method, claims.host, claims.path, claims.requests, claims.query_keys) == (
        "GET", None, "/v1/claims/{id}", 2, {"expand": 2})
    assert sample.distinct_clients == 1  # the port is dropped
    assert claims.first_seen is not None and claims.first_seen.isoformat() == "2026-11-09T08:10:00+00:00"


def test_the_https_format_and_absolute_form_targets(tmp_path: Path) -> None:
    tls = " 0/0000000000000000/0/0/1 api.example-insurer.com/TLSv1.3/TLS_AES_256_GCM_SHA384"
    path = write(
        tmp_path,
        ENTRY.format(prefix="", status=201, request="POST /v1/claims HTTP/2.0", tls=tls),
        ENTRY.format(prefix="", status=200, request="GET https://u:PLANTED@API.example.com:8443/v1/a?k=v HTTP/1.1",
                     tls=tls),
    )
    sample = read(path)
    assert sample.format == "haproxy_https"
    assert set(by_key(sample)) == {"POST /v1/claims", "GET api.example.com/v1/a"}
    assert "PLANTED" not in repr(sample)


@pytest.mark.parametrize(("line", "outcome"), [
    (ENTRY.format(prefix="", status=400, request="<BADREQ>", tls="").replace("claims_api/app1", "https_in/<NOSRV>"),
     "not_request"),
    (ENTRY.format(prefix="", status=-1, request="GET /v1/a HTTP/1.1", tls=""), "not_request"),
    ("192.0.2.10:41113 [09/Nov/2026:08:10:00.250] https_in/1: SSL handshake failure", "not_request"),
    ("192.0.2.10:41113 [09/Nov/2026:08:10:00.250] ssh_in ssh/git1 1/0/5007 212 -- 1/1/0/0/0 0/0", "not_request"),
    (ENTRY.format(prefix="", status=200, request="GET /v1/a HTTP/1.1", tls="").replace("09/Nov", "30/Feb"),
     "malformed"),
    (ENTRY.format(prefix="", status=200, request="GET /v1/a HTTP/1.1", tls="")[:-12], "malformed"),
    ("Nov  9 08:10:00 lb-1 haproxy[7]: Proxy https_in started.", "header"),
    ("Nov  9 08:10:00 lb-1 haproxy[7]: Server claims_api/app2 is DOWN, reason: Layer4 timeout.", "header"),
    ("[NOTICE]   (1) : New worker (8) forked", "header"),
    ("Nov  9 08:10:00 lb-1 sshd[99]: Accepted publickey for ops", "malformed"),
], ids=["badreq", "status-minus-one", "ssl-failure", "tcp-entry", "30-february", "cut-short", "proxy-started",
        "server-down", "stdout-notice", "another-program"])
def test_each_line_that_is_no_request_is_counted_for_what_it_is(tmp_path: Path, line: str, outcome: str) -> None:
    good = ENTRY.format(prefix="", status=200, request="GET /v1/b HTTP/1.1", tls="")
    sample = read(write(tmp_path, good, good, good, line))
    counts = {"header": (3, 0), "not_request": (4, 1), "malformed": (4, 1)}[outcome]
    assert (sample.total_lines, sample.rejected_lines) == counts
    if outcome != "header":
        assert f"({int(outcome == 'malformed')} do not parse, {int(outcome == 'not_request')} have no HTTP" \
               in sample.warnings[0]


def test_a_log_opening_with_many_startup_messages_is_still_a_haproxy_log(tmp_path: Path) -> None:
    startup = [f"Nov  9 08:00:00 lb-1 haproxy[1]: Proxy fe_{n} started." for n in range(150)]
    path = write(tmp_path, *startup, ENTRY.format(prefix="Nov  9 08:10:00 lb-1 haproxy[7]: ", status=200,
                                                  request="GET /v1/a HTTP/1.1", tls=""))
    assert detect_kind(path, read_head(path)) is SourceKind.HAPROXY_LOG
    sample = read(path)
    assert (sample.total_lines, sample.parsed_lines, sample.rejected_lines) == (1, 1, 0)


def test_clf_lines_without_a_prefix_are_an_access_log_and_with_one_a_haproxy_log(tmp_path: Path) -> None:
    clf = ('198.51.100.12 - - [09/Nov/2026:08:10:01 +0000] "GET /v1/claims/5003 HTTP/1.1" 200 2750 "" "" 41117 '
           '655 "https_in" "claims_api" "app1" 0 0 1 12 13 "----" 3 3 1 1 0 0 0 "" "" "" ""')
    bare = write(tmp_path, clf, clf)
    assert detect_kind(bare, read_head(bare)) is SourceKind.ACCESS_LOG
    prefixed = tmp_path / "syslog.log"
    prefixed.write_text(f"Nov  9 08:10:01 lb-1 haproxy[7]: {clf}\n" * 2)
    assert detect_kind(prefixed, read_head(prefixed)) is SourceKind.HAPROXY_LOG
    sample = read(prefixed)
    assert (sample.format, sample.parsed_lines, [item.path for item in sample.paths]) == (
        "haproxy_clf", 2, ["/v1/claims/{id}"])


def test_mostly_other_lines_are_refused_in_one_line_naming_the_file(tmp_path: Path) -> None:
    good = ENTRY.format(prefix="", status=200, request="GET /v1/b HTTP/1.1", tls="")
    path = write(tmp_path, good, *(f"Nov  9 08:10:00 lb-1 kernel: event {n}" for n in range(5)))
    with pytest.raises(TrafficLogError) as raised:
        read(path)
    assert str(raised.value) == "haproxy.log: not a HAProxy log: 5 of 6 lines do not parse"


def test_secrets_in_headers_cookies_urls_and_broken_lines_stay_out() -> None:
    sample = read(LOG)
    text = repr(sample) + repr(sample.model_dump())
    for planted in PLANTED:
        assert planted not in text


@pytest.mark.parametrize("other", [
    *(FIXTURES / "access_log").glob("*.log"),
    *(FIXTURES / "alb_log").glob("*.log"),
    FIXTURES / "envoy_log" / "default-text.log",
    FIXTURES / "apisix_log" / "http-logger.jsonl",
], ids=lambda path: f"{path.parent.name}/{path.name}")
def test_other_logs_are_not_taken_for_haproxy_logs(other: Path) -> None:
    assert not HaproxyLogReader().sniff(other, read_head(other))
    assert detect_kind(LOG, read_head(LOG)) is SourceKind.HAPROXY_LOG


def test_the_real_haproxy_log_of_the_corpus_reads(corpus_dir: Path) -> None:
    path = corpus_dir / "traffic" / "haproxy" / "logfile_haproxy.0"
    assert detect_kind(path, read_head(path)) is SourceKind.HAPROXY_LOG
    sample = read(path)
    # 17 lines: three `Proxy ... started.`, 13 requests, one SSL handshake failure
    assert (sample.total_lines, sample.parsed_lines, sample.rejected_lines, sample.distinct_clients) == (14, 13, 1, 5)
    paths = by_key(sample)
    assert paths["GET /admin/colt/administration"].requests == 2
    assert paths["POST /portal/"].query_keys == {"Script": 3, "onlinetest": 3, "anm": 3}
