"""The access-log reader: formats, gzip by content, redaction, rejected lines and sniffing."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

from riskscan.errors import SourceError
from riskscan.model import PathTraffic, TrafficSample
from riskscan.sources import ReadContext, make_client_hasher, read_head
from riskscan.sources.traffic.access_log import AccessLogReader
from riskscan.sources.traffic.line_log import TrafficLogError

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "access_log"
ESTATE = Path(__file__).resolve().parents[2] / "fixtures" / "estate"
LINE = '{ip} - - [09/Nov/2026:08:00:{second:02d} +0000] "GET /v1/policies/{n} HTTP/1.1" 200 12 "-" "sdk/1"\n'


def read(path: Path, **options: object) -> TrafficSample:
    context = ReadContext(root=path.parent, client_id=make_client_hasher(b"test-salt"), **options)  # type: ignore[arg-type]
    return AccessLogReader().read(path, context)


def by_key(sample: TrafficSample) -> dict[str, PathTraffic]:
    return {f"{item.method} {item.host or ''}{item.path}": item for item in sample.paths}


def write_lines(path: Path, good: int, junk: int) -> Path:
    """A log of `good` lines with `junk` non-log lines spread evenly through it."""
    lines = [LINE.format(ip=f"192.0.2.{n % 200}", second=n % 60, n=n) for n in range(good)]
    step = (good + junk) / max(junk, 1)
    for index in range(junk):
        lines.insert(int(index * step), f"junk line {index} that is not a log line\n")
    path.write_text("".join(lines))
    return path


# --------------------------------------------------------------------------- formats


def test_combined_log_is_aggregated_by_method_and_path() -> None:
    sample = read(FIXTURES / "combined.log")
    assert sample.format == "combined"
    assert (sample.total_lines, sample.parsed_lines, sample.rejected_lines) == (12, 12, 0)
    paths = by_key(sample)
    policy = paths["GET /v1/policies/{id}"]  # ids are folded as the log is read
    assert policy.requests == 3  # 4711 twice (a lower-case `get` counts as GET), 4712 (its fragment dropped)
    assert policy.status_classes == {"2xx": 2, "3xx": 1}
    assert policy.sample_lines[0] == 1
    assert policy.objects == 2
    [walker] = policy.clients
    assert (walker.requests, walker.objects, walker.lowest_id, walker.highest_id) == (3, 2, 4711, 4712)
    assert paths["GET /wp-login.php"].not_found == 1
    assert paths["GET /v1/lookup/ssn/{ssn}"].unauthorized == 1
    assert paths["POST /v1/payments/cards/{card}/verify"].status_classes == {"5xx": 1}
    assert "DELETE /v1/quotes/{id}" in paths  # a prefixed id (Q-1001) folds too
    assert sample.distinct_clients == 5
    assert sample.first_seen is not None and sample.first_seen.isoformat() == "2026-11-09T08:00:01+00:00"
    assert sample.last_seen is not None and sample.last_seen.isoformat() == "2026-11-09T08:04:00+00:00"


def test_common_log_format() -> None:
    sample = read(FIXTURES / "common.log")
    assert sample.format == "common"
    paths = by_key(sample)
    assert paths["GET /v1/policies/{id}"].requests == 2  # HTTP/1.0 and 1.1 are the same path
    assert paths["PUT /v1/quotes/{id}"].requests == 1  # `-` for bytes
    assert sample.rejected_lines == 0


def test_vhost_combined_takes_the_host_from_the_vhost_field() -> None:
    sample = read(FIXTURES / "vhost_combined.log")
    assert sample.format == "vhost_combined"
    paths = by_key(sample)
    assert paths["GET api.example-insurer.com/v1/policies/{id}"].requests == 2
    assert paths["GET sandbox.example-insurer.com/v1/policies/{id}"].requests == 1
    assert paths["POST sandbox.example-insurer.com/v1/quotes"].requests == 1  # lower-cased, no port
    assert paths["GET 2001:db8::10/internal/metrics"].requests == 1


def test_ipv6_clients_are_counted_and_never_kept() -> None:
    sample = read(FIXTURES / "ipv6-clients.log")
    assert sample.distinct_clients == 4
    assert len(by_key(sample)["GET /v2/claims"].client_ids) == 3
    text = repr(sample)
    for address in ("2001:db8:85a3", "::1", "fe80::", "203.0.113.7"):
        assert address not in text


def test_absolute_uri_targets_are_reduced_to_host_and_path() -> None:
    sample = read(FIXTURES / "absolute-uri.log")
    paths = by_key(sample)
    assert paths["GET api.example-insurer.com/v1/policies/{id}"].requests == 1
    assert paths["GET legacy.example-insurer.com/v0/policies"].requests == 1
    assert paths["GET api.example-insurer.com/"].requests == 1
    assert paths["GET /v1/policies/{id}"].requests == 1
    assert paths["OPTIONS *"].requests == 1
    assert sample.rejected_lines == 1  # CONNECT host:port is no path
    assert "PLANTEDPASSWORD" not in repr(sample) and "Admin" not in repr(sample)


def test_windows_line_endings() -> None:
    sample = read(FIXTURES / "windows-crlf.log")
    assert (sample.parsed_lines, sample.rejected_lines) == (5, 0)
    assert by_key(sample)["GET /v1/policies/{id}"].requests == 3


def test_timestamps_in_different_zones_are_compared_as_instants() -> None:
    sample = read(FIXTURES / "timezones.log")
    policy = by_key(sample)["GET /v1/policies/{id}"]
    assert policy.first_seen is not None and policy.last_seen is not None
    assert policy.first_seen.isoformat() == "2026-11-09T08:00:00+00:00"  # 10:00 +0200
    assert policy.last_seen.isoformat() == "2026-11-09T08:30:00+00:00"  # 03:30 -0500
    assert policy.first_seen.tzinfo is not None


def test_404s_are_counted_apart_and_samples_show_each_outcome(tmp_path: Path) -> None:
    path = tmp_path / "access.log"
    rows = [(200, 0), (404, 1), (401, 2), (200, 3), (500, 4), (404, 5)]
    path.write_text("".join(
        f'192.0.2.9 - - [09/Nov/2026:08:00:0{second} +0000] "GET /v1/claims/7 HTTP/1.1" {status} 5 "-" "a"\n'
        for status, second in rows
    ))
    claims = by_key(read(path))["GET /v1/claims/{id}"]
    assert claims.requests == 6
    assert claims.status_classes == {"2xx": 2, "4xx": 3, "5xx": 1}
    assert (claims.not_found, claims.unauthorized, claims.throttled) == (2, 1, 0)
    assert claims.clients[0].failed_auth == 1
    assert claims.sample_lines == (1, 2, 3)  # the first line of each new outcome, at most three


def test_an_over_long_line_is_cut_and_rejected(tmp_path: Path) -> None:
    good = LINE.format(ip="192.0.2.1", second=1, n=1)
    path = tmp_path / "access.log"
    path.write_bytes((good * 3 + "x" * 200_000 + "\n" + good * 3).encode())
    sample = read(path)
    assert (sample.parsed_lines, sample.rejected_lines) == (6, 1)
    assert any("at line 4" in warning for warning in sample.warnings)


def test_lines_across_read_chunks_are_all_counted(tmp_path: Path) -> None:
    body = "".join(LINE.format(ip=f"192.0.2.{n % 250}", second=n % 60, n=n % 997) for n in range(30_000))
    plain, packed = tmp_path / "big.log", tmp_path / "big.log.gz"
    plain.write_text(body)  # about 2.8 MB: several read chunks, lines cut at their edges
    packed.write_bytes(gzip.compress(body.encode()))
    for path in (plain, packed):
        sample = read(path)
        assert (sample.parsed_lines, sample.rejected_lines) == (30_000, 0)
        [policies] = sample.paths  # 997 distinct ids, one reduced path
        assert (policies.path, policies.objects) == ("/v1/policies/{id}", 997)
        # each of the 250 clients called 120 distinct ids (line n: client n % 250, id n % 997)
        assert {client.objects for client in policies.clients} == {120}


def test_mixed_formats_in_one_file_all_parse(tmp_path: Path) -> None:
    vhost = (FIXTURES / "vhost_combined.log").read_text()
    plain = (FIXTURES / "combined.log").read_text()
    path = tmp_path / "mixed.log"
    path.write_text(vhost * 3 + plain + vhost)
    sample = read(path)
    assert (sample.parsed_lines, sample.rejected_lines) == (32, 0)
    assert sample.format == "vhost_combined"


# --------------------------------------------------------------------------- gzip


def test_gzip_is_detected_by_content_not_name(tmp_path: Path) -> None:
    gz_named_plain = read(FIXTURES / "plain-named.gz")
    log_named_gzip = read(FIXTURES / "gzip-named.log")
    assert gz_named_plain.parsed_lines == 5
    assert log_named_gzip.parsed_lines == 5
    assert read(FIXTURES / "combined.log.gz").paths == read(FIXTURES / "combined.log").paths


def test_concatenated_gzip_members_are_all_read(tmp_path: Path) -> None:
    body = (FIXTURES / "common.log").read_bytes()
    path = tmp_path / "rotated.log.gz"
    path.write_bytes(gzip.compress(body) + gzip.compress(body))
    assert read(path).parsed_lines == 10


def test_many_empty_gzip_members_before_the_lines_are_sniffed_and_read(tmp_path: Path) -> None:
    """20,000 empty members (and zero padding) before the log: the head is found past them, and every
    member is read (in time linear in the file: the reader no longer copies the rest of a chunk per
    member; `benchmarks/bench_gzip_members.py` measures it)."""
    body = (FIXTURES / "common.log").read_bytes()
    path = tmp_path / "rotated.log.gz"
    path.write_bytes(gzip.compress(b"", mtime=0) * 20_000 + b"\0" * 512 + gzip.compress(body, mtime=0) * 2)
    assert AccessLogReader().sniff(path, read_head(path))
    sample = read(path)
    assert (sample.parsed_lines, sample.rejected_lines, sample.warnings) == (10, 0, ())


def test_truncated_gzip_keeps_what_was_read() -> None:
    sample = read(FIXTURES / "truncated.log.gz")
    assert 250 < sample.parsed_lines < 400
    assert any(warning.startswith("truncated gzip stream after") for warning in sample.warnings)
    assert AccessLogReader().sniff(FIXTURES / "truncated.log.gz", read_head(FIXTURES / "truncated.log.gz"))


def test_progress_reports_raw_bytes(tmp_path: Path) -> None:
    for name in ("combined.log", "combined.log.gz"):
        seen: list[int] = []
        read(FIXTURES / name, on_progress=seen.append)
        assert seen and sum(seen) == (FIXTURES / name).stat().st_size


# --------------------------------------------------------------------------- secrets


def test_query_strings_user_referer_and_agent_never_reach_the_sample() -> None:
    text = repr(read(FIXTURES / "combined.log"))
    for planted in ("PLANTEDSECRET", "token=", "PLANTEDUSER", "PLANTEDREFERER", "PLANTEDAGENTKEY", "page=2"):
        assert planted not in text
    assert "HarborPartnerSDK" not in text and "Mozilla" not in text


def test_personal_data_in_paths_is_redacted() -> None:
    paths = by_key(read(FIXTURES / "combined.log"))
    assert "GET /v1/customers/{email}/policies" in paths  # percent-encoded @
    assert "GET /v1/customers/{email}" in paths
    assert "GET /v1/lookup/ssn/{ssn}" in paths
    text = repr(paths)
    for planted in ("jane.doe", "john.roe", "123-45-6789", "4111111111111111"):
        assert planted not in text


def test_session_ids_and_link_secrets_in_paths_are_redacted(tmp_path: Path) -> None:
    line = '203.0.113.5 - - [24/Nov/2026:10:00:0{n} +0000] "GET {path} HTTP/1.1" 200 5 "-" "curl/8"\n'
    planted = ["/shop/cart;jsessionid=8F3A2B1C9D0E7F6A", "/password-reset/Qm9vM2xKd1pYcW5ZeUt0Z0xQc2VjcmV0MTIz"]
    log = tmp_path / "access.log"
    log.write_text("".join(line.format(n=n, path=path) for n, path in enumerate(planted)))
    sample = read(log)
    assert sorted(item.path for item in sample.paths) == ["/password-reset/{token}", "/shop/cart;jsessionid={token}"]


def test_client_ids_are_consistent_across_files() -> None:
    hasher = make_client_hasher(b"one-scan")
    reader = AccessLogReader()
    first = reader.read(FIXTURES / "combined.log", ReadContext(root=FIXTURES, client_id=hasher))
    second = reader.read(FIXTURES / "common.log", ReadContext(root=FIXTURES, client_id=hasher))
    assert by_key(first)["GET /v1/policies/{id}"].client_ids == by_key(second)["GET /v1/policies/{id}"].client_ids


def test_each_distinct_client_is_hashed_once(tmp_path: Path) -> None:
    calls: list[str] = []

    def counting(identity: str) -> int:
        calls.append(identity)
        return len(calls)

    reader = AccessLogReader()
    reader.read(FIXTURES / "combined.log", ReadContext(root=FIXTURES, client_id=counting))
    assert len(calls) == len(set(calls)) == 5


# --------------------------------------------------------------------------- rejected lines


def test_junk_lines_are_counted_by_line_number_never_by_content() -> None:
    sample = read(FIXTURES / "mixed-junk.log")
    assert (sample.total_lines, sample.parsed_lines, sample.rejected_lines) == (9, 6, 3)
    assert any("at lines 2, 6, 9" in warning for warning in sample.warnings)
    assert "PHP Warning" not in repr(sample) and "rotated" not in repr(sample)


def test_tls_bytes_dash_and_methodless_requests_are_rejected() -> None:
    sample = read(FIXTURES / "tls-and-dash-requests.log")
    assert (sample.parsed_lines, sample.rejected_lines) == (3, 4)
    paths = by_key(sample)
    assert set(paths) == {"GET /v1/policies/{id}", "GET /v1/search"}  # escaped quotes parse
    assert any("4 have no HTTP request line" in warning for warning in sample.warnings)


def test_truncated_last_line_is_rejected_and_the_rest_kept() -> None:
    sample = read(FIXTURES / "truncated-last-line.log")
    assert (sample.parsed_lines, sample.rejected_lines) == (4, 1)


def test_timestamps_out_of_range_cost_their_line_only() -> None:
    """Year 0 or 9999 pushed past the calendar by its offset, month 13, day 99, offset +9999: each
    line is rejected like any malformed one, and the rest of the log is kept."""
    sample = read(FIXTURES / "out-of-range-timestamps.log")
    assert (sample.total_lines, sample.parsed_lines, sample.rejected_lines) == (14, 8, 6)
    assert any("at lines 3, 5, 7, 9, 11, ..." in warning for warning in sample.warnings)
    assert sample.first_seen is not None and sample.first_seen.isoformat() == "2026-11-09T08:00:20+00:00"
    assert sample.last_seen is not None and sample.last_seen.isoformat() == "2026-11-09T08:08:25+00:00"


@pytest.mark.parametrize("name", ["binary-garbage.log", "only-junk.log"])
def test_files_that_are_not_logs_fail_with_one_line_naming_the_file(name: str) -> None:
    with pytest.raises(TrafficLogError) as raised:
        read(FIXTURES / name)
    message = str(raised.value)
    assert message.startswith(f"{name}: not an access log:")
    assert "\n" not in message and "lines do not parse" in message


def test_mostly_junk_after_a_thousand_lines_fails(tmp_path: Path) -> None:
    with pytest.raises(TrafficLogError, match=r"not an access log: 700 of 1200 lines do not parse"):
        read(write_lines(tmp_path / "noisy.log", good=500, junk=700))


def test_some_junk_is_tolerated_with_a_warning(tmp_path: Path) -> None:
    sample = read(write_lines(tmp_path / "noisy.log", good=800, junk=400))
    assert (sample.parsed_lines, sample.rejected_lines) == (800, 400)
    assert any("400 of 1200 lines rejected" in warning for warning in sample.warnings)


def test_empty_file_gives_an_empty_sample(tmp_path: Path) -> None:
    path = tmp_path / "access.log"
    path.write_bytes(b"")
    sample = read(path)
    assert (sample.total_lines, sample.paths) == (0, ())


def test_a_missing_file_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="cannot read the file"):
        read(tmp_path / "gone.log")


# --------------------------------------------------------------------------- sniffing


@pytest.mark.parametrize(
    "name",
    ["combined.log", "common.log", "vhost_combined.log", "ipv6-clients.log", "mixed-junk.log",
     "windows-crlf.log", "combined.log.gz", "gzip-named.log", "tls-and-dash-requests.log"],
)
def test_sniff_recognises_access_logs(name: str) -> None:
    path = FIXTURES / name
    assert AccessLogReader().sniff(path, read_head(path))


def test_sniff_rejects_other_kinds(tmp_path: Path) -> None:
    samples = {
        "notes.csv": "timestamp,client,path,status\n2026-11-09T08:00:00Z,192.0.2.1,/v1/policies,200\n",
        "syslog": "Nov  9 08:00:01 gw01 sshd[311]: Accepted publickey for deploy from 192.0.2.1 port 52\n"
        "Feb 25 16:19:38 192.168.4.2 haproxy[1]: Proxy prod_http_in started.\n",
        "app.json": '{"level":"info","ts":1761019822.3,"msg":"GET /v1/policies 200"}\n',
    }
    for name, text in samples.items():
        path = tmp_path / name
        path.write_text(text)
        assert not AccessLogReader().sniff(path, read_head(path)), name
    for path in (ESTATE / "specs" / "claims-api.yaml", ESTATE / "gateway" / "apisix.yaml",
                 FIXTURES / "binary-garbage.log", FIXTURES / "only-junk.log"):
        assert not AccessLogReader().sniff(path, read_head(path)), path.name


# --------------------------------------------------------------------------- real-world corpus


def test_corpus_apache_log_reads_with_sensible_counts(corpus_dir: Path, tmp_path: Path) -> None:
    source = corpus_dir / "traffic" / "apache" / "apache_logs"
    if not source.is_file():
        pytest.skip("this copy of the shared corpus lacks traffic/apache/apache_logs (a real 10,000-line Apache log)")
    sample = AccessLogReader().read(source, ReadContext(root=corpus_dir))
    assert sample.path == "traffic/apache/apache_logs"
    assert sample.format == "combined"
    assert sample.total_lines == 10_000
    assert sample.parsed_lines > 9_900
    assert sum(item.requests for item in sample.paths) == sample.parsed_lines
    assert 1_000 < sample.distinct_clients < 5_000
    assert sample.first_seen is not None and sample.first_seen.year == 2015
    assert "83.149.9.216" not in repr(sample)
    assert AccessLogReader().sniff(source, read_head(source))


def test_corpus_malformed_log_keeps_its_good_lines(corpus_dir: Path) -> None:
    source = corpus_dir / "traffic" / "malformed" / "logfile_bad_access_log.0"
    if not source.is_file():
        pytest.skip("this copy of the shared corpus lacks traffic/malformed/logfile_bad_access_log.0"
                    " (a real log with a broken line)")
    sample = AccessLogReader().read(source, ReadContext(root=corpus_dir))
    assert (sample.parsed_lines, sample.rejected_lines) == (2, 1)


def test_corpus_files_of_other_kinds_are_not_sniffed_as_access_logs(corpus_dir: Path) -> None:
    traffic = corpus_dir / "traffic"
    others = [traffic / "haproxy" / "logfile_haproxy.0", traffic / "caddy" / "logfile_caddy_log.0",
              traffic / "aws-elb" / "alb_al_valid_logs.log", traffic / "har" / "chrome.har"]
    for path in others:
        if path.is_file():
            assert not AccessLogReader().sniff(path, read_head(path)), path.name


def test_fixture_copies_keep_their_meaning(tmp_path: Path) -> None:
    # A gzip log renamed without a suffix is still read as gzip (discovery hands over any name).
    target = tmp_path / "access"
    shutil.copy(FIXTURES / "combined.log.gz", target)
    assert read(target).parsed_lines == 12


# --------------------------------------------------------------------------- signals for the controls


def test_an_enumeration_shows_as_one_client_walking_sequential_ids() -> None:
    accounts = by_key(read(FIXTURES / "enumeration-and-stuffing.log"))["GET /v1/accounts/{id}"]
    assert (accounts.requests, accounts.objects, accounts.throttled) == (37, 37, 1)
    walker = max(accounts.clients, key=lambda client: client.objects)
    assert (walker.requests, walker.objects, walker.lowest_id, walker.highest_id) == (30, 30, 100200, 100229)
    assert {client.objects for client in accounts.clients if client is not walker} == {1}


def test_credential_stuffing_shows_as_failed_logins_of_one_client() -> None:
    login = by_key(read(FIXTURES / "enumeration-and-stuffing.log"))["POST /v1/auth/login"]
    assert (login.requests, login.unauthorized, login.objects) == (13, 11, 1)
    assert sorted(client.failed_auth for client in login.clients) == [0, 11]


def test_an_x_forwarded_for_chain_logged_first_is_the_client_not_a_vhost() -> None:
    # Apache `%{X-Forwarded-For}i %l %u %t ...` (nginx `$http_x_forwarded_for - ...`) behind a load
    # balancer: the header as received, a chain when proxies or the client added addresses.
    sample = read(FIXTURES / "xff-first.log")
    assert (sample.parsed_lines, sample.rejected_lines) == (5, 0)
    assert sample.format == "combined"
    paths = by_key(sample)
    assert set(paths) == {"GET /v1/policies/{id}", "GET /healthz", "POST /v1/claims"}  # no host misread
    [first, chained] = sorted(paths["GET /v1/policies/{id}"].clients, key=lambda client: client.requests)
    assert (first.requests, chained.requests) == (1, 2)  # the last address of each chain: 198.51.100.21
    assert not paths["GET /healthz"].clients[0].is_known  # `-`: no header, no client
    assert paths["POST /v1/claims"].unauthorized == 1  # a quoted user name is no vhost before it
    assert sample.distinct_clients == 3


def test_apisix_s_default_access_log_takes_the_host_logged_after_the_time() -> None:
    # APISIX's access_log_format: `$remote_addr - $remote_user [$time_local] $http_host "$request" ...`
    sample = read(FIXTURES / "apisix-default.log")
    assert (sample.parsed_lines, sample.rejected_lines) == (5, 1)  # `"-"`: no request
    paths = by_key(sample)
    assert set(paths) == {
        "GET api.example-insurer.com/v1/policies/{id}", "POST api.example-insurer.com/v1/auth/token",
        "GET partner.example-insurer.com/v1/quotes/{id}", "GET 2001:db8::5/v1/policies/{id}",
    }
    assert paths["GET api.example-insurer.com/v1/policies/{id}"].query_keys == {"expand": 1}
    assert paths["POST api.example-insurer.com/v1/auth/token"].unauthorized == 1


@pytest.mark.parametrize(("name", "counts"), [
    ("nginx-time-iso8601.log", (3, 2)),  # nginx `[$time_iso8601]`; `"-"` and 30 February rejected
    ("apache-time-msec.log", (3, 0)),  # Apache `[%{%d/%b/%Y %T}t.%{msec_frac}t %{%z}t]`
])
def test_times_in_the_brackets_as_servers_are_configured_to_write_them(name: str, counts: tuple[int, int]) -> None:
    sample = read(FIXTURES / name)
    assert (sample.parsed_lines, sample.rejected_lines) == counts
    assert sample.first_seen is not None and sample.first_seen.isoformat() == "2026-11-09T08:00:01+00:00"
    assert sample.last_seen is not None and sample.last_seen.isoformat() in ("2026-11-09T08:00:03+00:00",
                                                                           "2026-11-09T08:00:02+00:00")
    assert sum(path.unauthorized for path in sample.paths) == 1


def test_a_container_s_output_opening_with_the_server_s_own_messages_is_an_access_log() -> None:
    # `docker logs nginx`: the image's entrypoint lines and nginx's error log (stderr) come first and
    # between the requests; they are passed over, neither requests nor rejected lines
    path = FIXTURES / "docker-logs-nginx-startup.log"
    assert AccessLogReader().sniff(path, read_head(path))
    sample = read(path)
    assert (sample.total_lines, sample.parsed_lines, sample.rejected_lines) == (5, 4, 1)  # the junk line
    assert set(by_key(sample)) == {"GET /v1/policies/{id}", "POST /v1/claims", "POST /v1/auth/token"}
