"""CloudFront standard logs: columns by the `#Fields:` header, CloudFront's percent-encoding, gzip,
enumeration and stuffing signals, broken files, and secrets that must not survive ingestion."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

from riskscan.model import PathTraffic, SourceKind, TrafficSample
from riskscan.sources import ReadContext, detect_kind, make_client_hasher, read_head
from riskscan.sources.traffic.cloudfront_log import CloudFrontLogReader, decode_stem, decode_value
from riskscan.sources.traffic.line_log import TrafficLogError

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "cloudfront_log"
HEADER = "#Version: 1.0\n#Fields: date time c-ip cs-method cs(Host) cs-uri-stem sc-status cs-uri-query x-edge-location\n"


def read(path: Path) -> TrafficSample:
    return CloudFrontLogReader().read(path, ReadContext(root=path.parent, client_id=make_client_hasher(b"cf-test")))


def by_key(sample: TrafficSample) -> dict[str, PathTraffic]:
    return {f"{item.method} {item.host or ''}{item.path}": item for item in sample.paths}


def test_entries_become_endpoints_by_the_fields_header() -> None:
    sample = read(FIXTURES / "distribution.log")
    assert (sample.format, sample.total_lines, sample.parsed_lines, sample.rejected_lines) == ("cloudfront", 10, 9, 1)
    paths = by_key(sample)
    claim = paths["GET api.example-insurer.com/v1/claims/{id}"]  # x-host-header, not the distribution domain
    assert (claim.requests, claim.query_keys) == (2, {"expand": 1, "page": 1})
    [client] = claim.clients
    assert (client.lowest_id, client.highest_id, client.objects) == (100234, 100235, 2)
    assert paths["POST api.example-insurer.com/v1/claims"].requests == 1  # the Host header lower-cased
    token = paths["POST api.example-insurer.com/v1/auth/token"]
    assert (token.unauthorized, token.throttled) == (1, 1)
    assert paths["GET api.example-insurer.com/v1/policies/{id}/documents"].not_found == 1
    assert "GET d111111abcdef8.cloudfront.net/v1/health" in paths
    assert "GET api.example-insurer.com/v1/docs/annual%20report.pdf" in paths  # logged as annual%2520report
    assert sample.distinct_clients == 4  # IPv4 and IPv6 viewers
    assert "line 11" in sample.warnings[0]  # status 000: the viewer left before a response
    assert sample.first_seen is not None and sample.first_seen.isoformat() == "2026-11-09T08:00:01+00:00"


def test_v2_field_selection_in_another_order_is_read_by_name() -> None:
    paths = by_key(read(FIXTURES / "v2-selected-fields.log"))
    quotes = paths["GET d111111abcdef8.cloudfront.net/v2/quotes/{id}"]  # no x-host-header: cs(Host)
    assert (quotes.requests, quotes.query_keys) == (2, {"currency": 1})
    assert paths["PUT d111111abcdef8.cloudfront.net/v2/quotes/{id}"].unauthorized == 1


def test_joined_files_each_read_by_their_own_header() -> None:
    sample = read(FIXTURES / "joined-files.log")
    assert (sample.total_lines, sample.rejected_lines) == (6, 0)  # directives are neither entries nor rejects
    paths = by_key(sample)
    assert paths["GET api.example-insurer.com/v1/claims/{id}"].requests == 2
    assert paths["GET d111111abcdef8.cloudfront.net/v2/quotes/{id}"].requests == 2


def test_gzip_reads_the_same(tmp_path: Path) -> None:
    packed = tmp_path / "E2QWRUHEXAMPLE.2026-11-09-08.a1b2c3d4.gz"
    with (FIXTURES / "distribution.log").open("rb") as source, gzip.open(packed, "wb") as target:
        shutil.copyfileobj(source, target)
    assert detect_kind(packed, read_head(packed)) == SourceKind.CLOUDFRONT_LOG
    assert read(packed).paths == read(FIXTURES / "distribution.log").paths


def test_a_header_split_from_its_entries_by_a_batch_boundary_still_applies(tmp_path: Path) -> None:
    """The header read in one batch names the columns of entries in the next (batches start at 256 KiB)."""
    entry = "2026-11-09\t08:00:00\t198.51.100.7\tGET\td1.cloudfront.net\t/v1/items/{n}\t200\t-\tLHR62-C2\n"
    log = tmp_path / "big.log"
    log.write_text(HEADER + "".join(entry.format(n=n) for n in range(20_000)))
    sample = read(log)
    assert (sample.parsed_lines, sample.rejected_lines) == (20_000, 0)
    assert by_key(sample)["GET d1.cloudfront.net/v1/items/{id}"].requests == 20_000


def test_enumeration_and_stuffing_show_per_client(tmp_path: Path) -> None:
    walk = [f"2026-11-09\t08:{n // 60:02d}:{n % 60:02d}\t203.0.113.5\tGET\td1.cloudfront.net\t/v1/policies/{5000 + n}"
            f"\t200\t-\tLHR62-C2\n" for n in range(120)]
    stuff = [f"2026-11-09\t09:00:{n:02d}\t198.51.100.66\tPOST\td1.cloudfront.net\t/v1/auth/login\t401\t-\tLHR62-C2\n"
             for n in range(30)]
    log = tmp_path / "cf.log"
    log.write_text(HEADER + "".join(walk + stuff))
    paths = by_key(read(log))
    [walker] = paths["GET d1.cloudfront.net/v1/policies/{id}"].clients
    assert (walker.objects, walker.lowest_id, walker.highest_id) == (120, 5000, 5119)
    [stuffer] = paths["POST d1.cloudfront.net/v1/auth/login"].clients
    assert (stuffer.failed_auth, stuffer.peak_failed_auth_per_minute) == (30, 30)


@pytest.mark.parametrize(
    ("name", "rejected", "where"),
    [
        ("bad-timestamps.log", 2, "lines 4, 5"),  # month 13; 25:61
        ("truncated-last-line.log", 1, "line 7"),  # too few fields
        ("mixed-with-combined.log", 1, "line 7"),  # an nginx line in a CloudFront log
    ],
)
def test_a_bad_entry_costs_that_entry(name: str, rejected: int, where: str) -> None:
    sample = read(FIXTURES / name)
    assert sample.rejected_lines == rejected
    assert where in sample.warnings[0]


@pytest.mark.parametrize("name", ["binary-after-header.log", "no-header.log"])
def test_a_file_that_is_mostly_not_entries_is_refused_in_one_line(name: str) -> None:
    with pytest.raises(TrafficLogError, match=rf"^{name.replace('.', '[.]')}: not a CloudFront access log: \d+ of"):
        read(FIXTURES / name)


def test_sniffing_wants_cloudfront_fields_and_the_header_first() -> None:
    reader = CloudFrontLogReader()
    assert reader.sniff(Path("x"), HEADER.encode())
    iis = b"#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n#Fields: date time s-ip " \
          b"cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) sc-status\n"
    assert not reader.sniff(Path("u_ex.log"), iis)  # W3C too, but IIS
    assert not reader.sniff(Path("x"), (FIXTURES / "no-header.log").read_bytes())


@pytest.mark.parametrize(
    ("logged", "sent"),
    [("/a%2520b", "/a%20b"), ("/r%C3%A9sum%C3%A9", "/r\u00e9sum\u00e9"), ("/x%FF", "/x%FF"), ("/%20", "/%20"),
     ("/%E2%80%AE", "/%E2%80%AE")],  # a bidi control stays encoded
)
def test_one_level_of_percent_encoding_is_undone(logged: str, sent: str) -> None:
    assert decode_stem(logged) == sent


def test_query_values_decode_like_stems() -> None:
    assert decode_value("q=a%2520b&k%2526=1") == "q=a%20b&k%26=1"


def test_secrets_in_stems_queries_cookies_agents_and_referers_stay_out() -> None:
    sample = read(FIXTURES / "hostile-secrets.log")
    text = repr(sample)
    for secret in ("jane.doe", "AKIAIOSFODNN7EXAMPLE", "sk_live_4eC39HqLyjWDarjtT1zdp7dc", "eyJhbGciOiJIUzI1NiJ9",
                   "hunter2-horse-55555", "4111111111111111", "198.51.100.50", "192.0.2.99"):
        assert secret not in text
    assert set(by_key(sample)) == {
        "GET api.example-insurer.com/v1/reset/{email}",
        "GET api.example-insurer.com/v1/sessions/{token}",
        "GET api.example-insurer.com/v1/cards/{card}",
    }
