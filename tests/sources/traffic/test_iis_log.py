"""IIS (W3C extended) logs: columns by the `#Fields:` header (and again after a restart's header), the host
only where `cs-host` is logged, enumeration and stuffing signals, broken lines, user names and query
values kept out, and sniffing apart from CloudFront's tab-separated W3C logs and the other line formats."""

from __future__ import annotations

from pathlib import Path

from riskscan.model import PathTraffic, SourceKind, TrafficSample
from riskscan.pipeline import ScanOptions, scan
from riskscan.report import RENDERERS
from riskscan.sources import ReadContext, detect_kind, make_client_hasher, read_head
from riskscan.sources.traffic.iis_log import IisLogReader

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
LOG = FIXTURES / "iis_log" / "u_ex261130.log"
HEADER = ("#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) "
          "cs(Referer) sc-status sc-substatus sc-win32-status time-taken")


def read(path: Path) -> TrafficSample:
    return IisLogReader().read(path, ReadContext(root=path.parent, client_id=make_client_hasher(b"iis-test")))


def by_key(sample: TrafficSample) -> dict[str, PathTraffic]:
    return {f"{item.method} {item.host or ''}{item.path}": item for item in sample.paths}


def test_the_log_is_detected_by_content_and_read_by_its_headers(tmp_path: Path) -> None:
    disguised = tmp_path / "access.txt"
    disguised.write_bytes(LOG.read_bytes())
    assert detect_kind(disguised, read_head(disguised)) is SourceKind.IIS_LOG
    sample = read(disguised)
    # 253 lines: 8 directives (two headers: the server restarted with cs-host logged), 242 requests and
    # 3 broken lines (too few fields, 31 November at 25:61, binary bytes).
    assert (sample.format, sample.total_lines, sample.parsed_lines, sample.rejected_lines) == ("iis", 245, 242, 3)
    assert "at lines 227, 228, 229" in sample.warnings[0]
    assert sample.first_seen is not None and sample.first_seen.isoformat() == "2026-11-30T08:00:00+00:00"
    paths = by_key(sample)
    assert set(paths) == {
        "GET /api/v1/policies/{id}", "GET /api/v1/claims/{id}", "POST /api/v1/auth/login",
        "GET /api/v1/quotes/{id}", "GET /api/v1/brokers/münchen/contacts",
        "GET api.northwind-mutual.example/api/v2/policies/{id}",  # after the header naming cs-host
    }
    assert (paths["GET /api/v1/policies/{id}"].requests, len(paths["GET /api/v1/policies/{id}"].clients)) == (60, 20)
    assert paths["GET /api/v1/quotes/{id}"].query_keys == {"api_key": 1, "lang": 1}  # keys, never values


def test_an_enumeration_walk_and_a_stuffing_burst_show_per_client() -> None:
    paths = by_key(read(LOG))
    [walker] = paths["GET /api/v1/claims/{id}"].clients
    assert (walker.requests, walker.objects, walker.lowest_id, walker.highest_id) == (120, 120, 70000, 70119)
    assert walker.peak_requests_per_minute == 60
    [stuffer] = paths["POST /api/v1/auth/login"].clients
    assert (stuffer.requests, stuffer.failed_auth, stuffer.peak_failed_auth_per_minute) == (40, 40, 40)


def test_entries_before_any_header_are_rejected_and_a_file_of_them_is_not_this_log(tmp_path: Path) -> None:
    path = tmp_path / "u_ex.log"
    entry = "2026-11-30 08:00:00 10.0.0.5 GET /api/v1/policies/1 - 443 - 203.0.113.7 ua - 200 0 0 5"
    path.write_text(f"{entry}\n{HEADER}\n{entry}\n", encoding="utf-8")
    assert detect_kind(path, read_head(path)) is not SourceKind.IIS_LOG  # an entry comes before the header
    sample = read(path)
    assert (sample.parsed_lines, sample.rejected_lines) == (1, 1)


def test_cloudfront_logs_and_access_logs_are_not_taken_for_iis(tmp_path: Path) -> None:
    cloudfront = next((FIXTURES / "cloudfront_log").glob("*"))
    assert detect_kind(cloudfront, read_head(cloudfront)) is SourceKind.CLOUDFRONT_LOG
    combined = tmp_path / "access.log"
    combined.write_text('203.0.113.7 - - [30/Nov/2026:08:00:00 +0000] "GET /v1/a HTTP/1.1" 200 5 "-" "ua"\n')
    assert detect_kind(combined, read_head(combined)) is SourceKind.ACCESS_LOG


def test_user_names_and_query_values_reach_no_output() -> None:
    assessment = scan(ScanOptions(paths=(LOG,)))
    assert [item.kind for item in assessment.inputs] == [SourceKind.IIS_LOG]
    assert any(finding.code == "SECRET_IN_URL" for finding in assessment.findings)
    for renderer in ("json", "html"):
        text = RENDERERS[renderer].render(assessment).decode("utf-8")
        assert "PLANTED" not in text, renderer
        assert "198.51.100.66" not in text and "192.0.2.99" not in text, renderer  # clients are opaque ids
