"""`--log-fields`: the mapping's checks (one clear line each), and JSON-lines and CSV logs read through it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from riskscan.errors import UsageError
from riskscan.model import PathTraffic, SourceKind, TrafficSample
from riskscan.sources import READERS, ReadContext, detect_kind, make_client_hasher, read_head
from riskscan.sources.traffic.jsonl.fields import FieldMap, TimeFormat, parse_log_fields
from riskscan.sources.traffic.line_log import TrafficLogError

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "mapped_log"
INHOUSE = "time=ts,method=http.verb,path=http.target,status=http.code,host=http.vhost,client=peer.ip"


def read(path: Path, fields: FieldMap) -> TrafficSample:
    assert detect_kind(path, read_head(path), log_fields=fields) is SourceKind.MAPPED_LOG
    context = ReadContext(root=path.parent, client_id=make_client_hasher(b"salt"), log_fields=fields)
    sample = READERS[SourceKind.MAPPED_LOG].read(path, context)
    assert isinstance(sample, TrafficSample)
    return sample


def by_key(sample: TrafficSample) -> dict[str, PathTraffic]:
    return {f"{item.method} {item.host or ''}{item.path}": item for item in sample.paths}


# --------------------------------------------------------------------------- the mapping


def test_an_inline_mapping_names_alternatives_and_a_time_format() -> None:
    fields = parse_log_fields("time=start, method=verb ,path=uri|url,status=code,client=consumer.id|ip,"
                              "time_format=epoch_ms")
    assert fields.path == ("uri", "url") and fields.client == ("consumer.id", "ip")
    assert fields.time_format is TimeFormat.EPOCH_MS


def test_a_yaml_mapping_file_says_the_same() -> None:
    fields = parse_log_fields(str(FIXTURES / "fields.yaml"))
    assert (fields.time, fields.method, fields.path) == (("when",), ("verb",), ("uri",))
    assert (fields.time_format, fields.time_pattern) == (TimeFormat.STRFTIME, "%d/%m/%Y %H:%M:%S")


@pytest.mark.parametrize(("spec", "message"), [
    ("time=ts,method=verb,status=code,path=uri,verb2=x", "unknown field verb2"),
    ("time=ts,method=verb,path=uri", "no key given for status"),
    ("time=ts,method=verb,status=code", "no key given for path or url"),
    ("time=ts,method=verb,status=code,path=uri,path=url", "path given more than once"),
    ("time=ts,method=verb,status=code,path=uri,time,", "'time' is not name=key"),
    ("time=ts,method=verb,status=code,path=a..b", "path: 'a..b' is not a key"),
    ("time=ts,method=verb,status=code,path=uri,time_format=unix", "'unix' is not epoch_s, epoch_ms, iso8601"),
    ("time=ts,method=verb,status=code,path=uri,time_format=%d/%m/%Q", "'%Q' is not a strftime directive"),
    ("time=ts,method=verb,status=code,path=uri,time_format=%H:%M:%S", "has no date"),
    ("no-such-mapping.yaml", "no-such-mapping.yaml: no such file"),
])
def test_a_bad_mapping_is_one_clear_line(spec: str, message: str) -> None:
    with pytest.raises(UsageError) as raised:
        parse_log_fields(spec)
    assert message in str(raised.value) and "\n" not in str(raised.value)
    assert str(raised.value).startswith("--log-fields: ")


def test_a_mapping_file_that_is_no_mapping_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "fields.yaml"
    path.write_text("- time\n- method\n")
    with pytest.raises(UsageError, match="is not a mapping of field names to keys"):
        parse_log_fields(str(path))


# --------------------------------------------------------------------------- reading through it


def test_an_in_house_json_log_is_read_through_nested_keys() -> None:
    sample = read(FIXTURES / "inhouse.jsonl", parse_log_fields(INHOUSE))
    assert (sample.format, sample.parsed_lines, sample.rejected_lines, sample.distinct_clients) == ("mapped_json", 14, 0, 3)
    paths = by_key(sample)
    walker = max(paths["GET api.example-insurer.com/v1/policies/{id}"].clients, key=lambda client: client.objects)
    assert (walker.objects, walker.lowest_id, walker.highest_id) == (6, 1001, 1006)
    [stuffer] = paths["POST api.example-insurer.com/v1/auth/token"].clients
    assert (stuffer.failed_auth, stuffer.peak_failed_auth_per_minute) == (6, 6)
    assert "PLANTED" not in repr(sample) and "198.51.100.7" not in repr(sample)


def test_a_csv_export_is_read_by_header_with_a_strftime_time() -> None:
    sample = read(FIXTURES / "export.csv", parse_log_fields(str(FIXTURES / "fields.yaml")))
    assert (sample.format, sample.total_lines, sample.parsed_lines, sample.rejected_lines) == ("mapped_csv", 16, 14, 2)
    assert any("at lines 16, 17" in warning for warning in sample.warnings)  # 31 February; a cut row
    paths = by_key(sample)
    assert paths["GET /v1/policies/{id}"].requests == 7 and paths["GET /v1/policies/{id}"].query_keys == {
        "access_token": 1, "lang": 1}
    assert sample.first_seen is not None and sample.first_seen.isoformat() == "2026-11-09T08:00:00+00:00"
    assert "PLANTED" not in repr(sample)


def test_a_quoted_line_break_in_a_csv_costs_only_the_continuation_line(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    rows = ["t,m,p,s", "1794211200,GET,/v1/a/1,200", '1794211201,GET,/v1/a/2,200,"note', 'continued"',
            "1794211202,GET,/v1/a/3,200"]
    path.write_text("\n".join(rows) + "\n")
    sample = read(path, parse_log_fields("time=t,method=m,path=p,status=s,time_format=epoch_s"))
    # rows are lines: the cells before the break are a whole request, the continuation is no row
    assert (sample.total_lines, sample.parsed_lines, sample.rejected_lines) == (4, 3, 1)
    assert any("at line 4" in warning for warning in sample.warnings)


def test_without_a_mapping_such_files_are_not_claimed_and_the_reader_says_why(tmp_path: Path) -> None:
    path = FIXTURES / "inhouse.jsonl"
    assert detect_kind(path, read_head(path)) is None
    assert detect_kind(path, read_head(path), log_fields=parse_log_fields("time=a,method=b,status=c,path=d")) is None
    with pytest.raises(TrafficLogError, match="read only with --log-fields"):
        READERS[SourceKind.MAPPED_LOG].read(path, ReadContext(root=path.parent))


def test_a_mapping_wins_over_a_built_in_guess(tmp_path: Path) -> None:
    entry = {"request": {"method": "GET", "uri": "/v1/a/1"}, "response": {"status": 200}, "start_time": 1794211200,
             "client_ip": "192.0.2.1"}
    path = tmp_path / "apisix.jsonl"
    path.write_text(json.dumps(entry) + "\n")
    assert detect_kind(path, read_head(path)) is SourceKind.APISIX_LOG
    fields = parse_log_fields("time=start_time,time_format=epoch_s,method=request.method,path=request.uri,"
                              "status=response.status")
    sample = read(path, fields)  # seconds, as the user said: the default (milliseconds) would be 1970
    assert sample.first_seen is not None and sample.first_seen.year == 2026


def test_scan_wires_the_flag_and_a_bad_mapping_exits_2(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    base = [sys.executable, "-m", "riskscan", "scan", str(FIXTURES / "inhouse.jsonl"), "--no-db"]
    good = subprocess.run([*base, "--log-fields", INHOUSE, "-o", str(out)], capture_output=True, text=True,
                          timeout=120, check=False)
    assert good.returncode == 0, good.stderr
    report = json.loads(out.read_text())
    assert [(item["kind"], item["status"]) for item in report["inputs"]] == [("mapped_log", "used")]
    assert {f"{e['method']} {e['path']}" for e in report["endpoints"]} == {
        "GET /v1/policies/{id}", "POST /v1/auth/token"}
    assert "PLANTED" not in out.read_text()
    bad = subprocess.run([*base, "--log-fields", "time=ts,method=verb"], capture_output=True, text=True,
                         timeout=120, check=False)
    assert bad.returncode == 2
    assert bad.stderr.strip().splitlines() == ["riskscan: error: --log-fields: no key given for status, path or url"]


# --------------------------------------------------------------------------- nginx JSON, no mapping needed

HOST = "api.example-insurer.com"


def read_unmapped(path: Path) -> TrafficSample:
    assert detect_kind(path, read_head(path)) is SourceKind.MAPPED_LOG
    sample = READERS[SourceKind.MAPPED_LOG].read(path, ReadContext(root=path.parent,
                                                                   client_id=make_client_hasher(b"salt")))
    assert isinstance(sample, TrafficSample)
    return sample


def test_nginx_s_escape_json_log_with_the_request_line_is_read_without_a_mapping() -> None:
    # log_format json escape=json '{"time_local":"$time_local","remote_addr":"$remote_addr",...,
    # "request":"$request","status": "$status",...}': the request is one line
    sample = read_unmapped(FIXTURES / "nginx-json-escape.log")
    assert (sample.format, sample.parsed_lines, sample.rejected_lines) == ("nginx_json", 4, 2)  # "" and TLS bytes
    paths = by_key(sample)
    assert set(paths) == {"GET /v1/policies/{id}", "POST /v1/auth/token", "GET /v1/quotes/{id}"}
    assert paths["GET /v1/policies/{id}"].query_keys == {"expand": 1}
    assert paths["POST /v1/auth/token"].unauthorized == 1
    assert paths["POST /v1/auth/token"].first_seen is not None
    assert paths["POST /v1/auth/token"].first_seen.isoformat() == "2026-11-09T08:00:03+00:00"  # +0100 read
    assert "planted-basic-user" not in str(sample.model_dump())  # remote_user never kept


def test_nginx_json_with_method_path_and_host_apart_is_read_without_a_mapping() -> None:
    sample = read_unmapped(FIXTURES / "nginx-json-ingress.log")
    assert (sample.parsed_lines, sample.rejected_lines) == (4, 0)
    paths = by_key(sample)
    assert set(paths) == {f"GET {HOST}/v1/claims/{{id}}", f"DELETE {HOST}/v1/claims/{{id}}",
                          "GET partner.example-insurer.com/v1/claims"}
    [reader] = paths[f"GET {HOST}/v1/claims/{{id}}"].clients
    assert reader.requests == 2


def test_a_user_s_mapping_that_fits_an_nginx_json_log_wins() -> None:
    fields = parse_log_fields("time=time,method=method,path=path,status=status,client=request_id")
    sample = read(FIXTURES / "nginx-json-ingress.log", fields)
    assert (sample.format, sample.distinct_clients) == ("mapped_json", 1)  # the user's client, not remote_addr
