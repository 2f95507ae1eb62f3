"""Gateway JSON-lines logs (APISIX, Kong, Envoy, Traefik): detection by content, the request columns
each reads, the signals they produce, rejected lines, compression, and secrets kept out."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
import zstandard

from riskscan.model import PathTraffic, SourceKind, TrafficSample
from riskscan.sources import READERS, ReadContext, detect_kind, make_client_hasher, read_head
from riskscan.sources.traffic.line_log import TrafficLogError

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
GATEWAY_LOGS = [
    (FIXTURES / "apisix_log" / "http-logger.jsonl", SourceKind.APISIX_LOG, "apisix_log"),
    (FIXTURES / "kong_log" / "file-log.jsonl", SourceKind.KONG_LOG, "kong_log"),
    (FIXTURES / "envoy_log" / "access.json", SourceKind.ENVOY_LOG, "envoy_json"),
    (FIXTURES / "traefik_log" / "access.json", SourceKind.TRAEFIK_LOG, "traefik_json"),
]
PLANTED = ("PLANTED-TOKEN-7f3a", "PLANTED-BEARER-apisix-91c2", "PLANTED-KONG-KEY-5d1e", "planted-basic-user",
           "jane.doe@broker.example", "198.51.100.7", "203.0.113.50", "192.0.2.10", "2001:db8::7", "broker_a")
HOST = "api.example-insurer.com"


def read(path: Path, kind: SourceKind | None = None) -> TrafficSample:
    kind = kind or detect_kind(path, read_head(path))
    assert kind is not None, f"{path.name} not recognised"
    sample = READERS[kind].read(path, ReadContext(root=path.parent, client_id=make_client_hasher(b"test-salt")))
    assert isinstance(sample, TrafficSample)
    return sample


def by_key(sample: TrafficSample) -> dict[str, PathTraffic]:
    return {f"{item.method} {item.host or ''}{item.path}": item for item in sample.paths}


def apisix_entry(**changes: object) -> dict[str, object]:
    entry: dict[str, object] = {
        "request": {"method": "GET", "uri": "/v1/claims/7", "url": f"https://{HOST}/v1/claims/7",
                    "headers": {"host": HOST}},
        "response": {"status": 200}, "start_time": 1794211200000, "client_ip": "192.0.2.1",
    }
    entry.update(changes)
    return entry


def write_entries(path: Path, entries: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(entry) + "\n" for entry in entries))
    return path


# --------------------------------------------------------------------------- the four gateways


@pytest.mark.parametrize(("path", "kind", "variant"), GATEWAY_LOGS, ids=lambda value: getattr(value, "name", ""))
def test_each_gateway_log_is_detected_by_content_and_aggregated(
    path: Path, kind: SourceKind, variant: str, tmp_path: Path
) -> None:
    disguised = tmp_path / "gateway.txt"
    disguised.write_bytes(path.read_bytes())
    assert detect_kind(disguised, read_head(disguised)) is kind
    sample = read(disguised)
    assert sample.format == variant
    assert sample.parsed_lines == 18 and sample.distinct_clients == 5
    paths = by_key(sample)
    assert set(paths) == {f"GET {HOST}/v1/policies/{{id}}", f"POST {HOST}/v1/auth/token",
                          f"GET {HOST}/v1/brokers/by-email/{{email}}", f"GET {HOST}/internal/export/batches/{{id}}",
                          f"GET {HOST}/wp-login.php"}
    policies = paths[f"GET {HOST}/v1/policies/{{id}}"]
    assert (policies.requests, policies.status_classes, policies.objects) == (8, {"2xx": 7, "3xx": 1}, 7)
    assert policies.query_keys == {"access_token": 1, "lang": 1}  # keys counted, values dropped
    walker = max(policies.clients, key=lambda client: client.objects)  # one client walks six ids in turn
    assert (walker.requests, walker.objects, walker.lowest_id, walker.highest_id) == (6, 6, 1001, 1006)
    [stuffer] = paths[f"POST {HOST}/v1/auth/token"].clients  # six refusals within one minute, then in
    assert (stuffer.requests, stuffer.failed_auth, stuffer.peak_failed_auth_per_minute) == (7, 6, 6)
    assert paths[f"GET {HOST}/wp-login.php"].not_found == 1
    assert sample.first_seen is not None and sample.first_seen.isoformat() == "2026-11-09T08:00:00+00:00"
    assert sample.last_seen is not None and sample.last_seen.isoformat() == "2026-11-09T08:04:00+00:00"


@pytest.mark.parametrize(("path", "kind", "variant"), GATEWAY_LOGS, ids=lambda value: getattr(value, "name", ""))
def test_no_planted_secret_address_or_consumer_reaches_the_sample(path: Path, kind: SourceKind, variant: str) -> None:
    text = repr(read(path)) + repr(read(path).model_dump())
    for planted in PLANTED:
        assert planted not in text


def test_each_reader_claims_only_its_own_format() -> None:
    for path, kind, _ in GATEWAY_LOGS:
        head = read_head(path)
        assert [other for other, reader in READERS.items() if reader.sniff(path, head)] == [kind]
    combined = FIXTURES / "access_log" / "combined.log"
    assert detect_kind(combined, read_head(combined)) is SourceKind.ACCESS_LOG


def test_a_consumer_is_one_client_from_any_address_and_addresses_without_one_are_apart(tmp_path: Path) -> None:
    entries = [apisix_entry(client_ip=f"192.0.2.{n}", consumer={"username": "broker_a"}) for n in (1, 2)]
    entries += [apisix_entry(client_ip=f"192.0.2.{n}") for n in (3, 4)]
    entries.append(apisix_entry(client_ip="192.0.2.5", consumer="broker_b"))  # older releases: a plain name
    sample = read(write_entries(tmp_path / "apisix.jsonl", entries))
    assert sample.distinct_clients == 4


def test_envoy_drops_ports_from_addresses_and_a_response_never_sent_is_no_request() -> None:
    sample = read(FIXTURES / "envoy_log" / "access.json")
    assert (sample.total_lines, sample.parsed_lines, sample.rejected_lines) == (19, 18, 1)
    assert any("0 do not parse, 1 have no HTTP request line) at line 19" in warning for warning in sample.warnings)
    # clients keyed without their port: the walker's six requests from six ports are one client
    walker = max(by_key(sample)[f"GET {HOST}/v1/policies/{{id}}"].clients, key=lambda client: client.requests)
    assert walker.requests == 6


def test_hosts_lose_port_case_and_user_info(tmp_path: Path) -> None:
    entries = [
        apisix_entry(request={"method": "GET", "uri": "/v1/claims/7", "headers": {"host": "API.Example.com:9443"}}),
        apisix_entry(request={"method": "GET", "uri": "/v1/claims/8",
                              "url": "https://svc:PLANTEDPASS@Legacy.Example.com:8443/v1/claims/8"}),
        apisix_entry(request={"method": "GET", "uri": "/v1/claims/9", "headers": {"host": "[2001:db8::5]:443"}}),
    ]
    sample = read(write_entries(tmp_path / "apisix.jsonl", entries))
    assert set(by_key(sample)) == {"GET api.example.com/v1/claims/{id}", "GET legacy.example.com/v1/claims/{id}",
                                   "GET 2001:db8::5/v1/claims/{id}"}
    assert "PLANTEDPASS" not in repr(sample)


def test_an_absolute_or_odd_target_is_split_as_the_access_log_splits_it(tmp_path: Path) -> None:
    entries = [
        apisix_entry(request={"method": "GET", "uri": "https://other.example/v2/items/5?x=1"}),
        apisix_entry(request={"method": "get", "uri": "/v2/items/6 with space"}),
        apisix_entry(request={"method": "GET", "uri": "/v2/caf\u00e9/1"}),
        apisix_entry(request={"method": "CONNECT", "uri": "other.example:443"}),
    ]
    sample = read(write_entries(tmp_path / "apisix.jsonl", entries))
    keys = set(by_key(sample))
    assert "GET other.example/v2/items/{id}" in keys
    assert any(key.startswith("GET /v2/items/") and "%20" in key for key in keys)
    assert (sample.parsed_lines, sample.rejected_lines) == (3, 1)  # an authority is no path


# --------------------------------------------------------------------------- broken and hostile


def test_lines_that_are_not_objects_lack_keys_or_hold_wrong_types_are_rejected_by_number() -> None:
    sample = read(FIXTURES / "apisix_log" / "wrong-types.jsonl")
    assert (sample.total_lines, sample.parsed_lines, sample.rejected_lines) == (29, 18, 11)
    assert any("11 do not parse" in warning and "at lines 2, 3, 4, 5, 6, ..." in warning for warning in sample.warnings)
    # what the good lines show is what the clean log shows: the slow path agrees with the fast one
    def unnumbered(sample: TrafficSample) -> list[PathTraffic]:  # line numbers differ, nothing else may
        return [item.model_copy(update={"sample_lines": ()}) for item in sample.paths]

    assert unnumbered(sample) == unnumbered(read(FIXTURES / "apisix_log" / "http-logger.jsonl"))


def test_bad_and_out_of_range_timestamps_reject_their_lines() -> None:
    apisix = read(FIXTURES / "apisix_log" / "bad-timestamps.jsonl")  # "yesterday", before 1970, year 30000+
    assert (apisix.parsed_lines, apisix.rejected_lines) == (6, 3)
    assert any("at lines 2, 3, 4" in warning for warning in apisix.warnings)
    envoy = read(FIXTURES / "envoy_log" / "bad-timestamps-and-a-combined-line.json")  # 30 Feb, hour 25, +12026
    assert (envoy.parsed_lines, envoy.rejected_lines) == (8, 4)
    assert any("at lines 4, 6, 7, 8" in warning for warning in envoy.warnings)


def test_a_truncated_last_entry_is_one_rejected_line() -> None:
    sample = read(FIXTURES / "apisix_log" / "truncated.jsonl")
    assert (sample.parsed_lines, sample.rejected_lines) == (6, 1)
    assert any("at line 7" in warning for warning in sample.warnings)


def test_gzip_and_zstd_are_detected_and_read_by_content(tmp_path: Path) -> None:
    source = FIXTURES / "kong_log" / "file-log.jsonl"
    packed = tmp_path / "kong.log"
    packed.write_bytes(gzip.compress(source.read_bytes()))
    squeezed = tmp_path / "kong.jsonl"
    squeezed.write_bytes(zstandard.ZstdCompressor().compress(source.read_bytes()))
    expected = read(source).paths
    assert read(packed).paths == expected
    assert detect_kind(squeezed, read_head(squeezed)) is SourceKind.KONG_LOG  # the head is inflated to judge
    assert read(squeezed).paths == expected


def test_binary_after_a_json_head_is_refused_with_one_line(tmp_path: Path) -> None:
    good = (FIXTURES / "traefik_log" / "access.json").read_bytes()
    path = tmp_path / "traefik.json"
    path.write_bytes(good + bytes(range(256)) * 20 + b"\n".join(bytes([n % 256, 0, 255, 7]) for n in range(3000)))
    assert detect_kind(path, read_head(path)) is SourceKind.TRAEFIK_LOG
    with pytest.raises(TrafficLogError, match=r"^traefik.json: not a Traefik JSON access log: \d+ of \d+ lines"):
        read(path)


def test_a_line_deeply_nested_or_with_a_huge_number_costs_only_that_line(tmp_path: Path) -> None:
    good = json.dumps(apisix_entry())
    path = tmp_path / "apisix.jsonl"
    path.write_text("\n".join([good, '{"request":' * 20000 + "1" + "}" * 20000,
                               good.replace("1794211200000", "9" * 5000), good, good]) + "\n")
    sample = read(path, SourceKind.APISIX_LOG)
    assert (sample.parsed_lines, sample.rejected_lines) == (3, 2)


def test_access_log_lines_inside_a_json_log_are_rejected_not_guessed(tmp_path: Path) -> None:
    entries = [json.dumps(apisix_entry(client_ip=f"192.0.2.{n}")) for n in range(6)]
    combined = '192.0.2.1 - - [09/Nov/2026:08:00:01 +0000] "GET /v1/claims/7 HTTP/1.1" 200 12 "-" "sdk/1"'
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(entries[:3] + [combined] + entries[3:]) + "\n")
    sample = read(path)
    assert sample.format == "apisix_log"
    assert (sample.parsed_lines, sample.rejected_lines) == (6, 1)


def test_traefik_s_default_common_log_format_is_read_by_the_access_log_reader() -> None:
    """Traefik's default access log is CLF with three fields more (request count, router, server URL)
    and the duration; the access-log reader takes it, and nothing past the user agent is kept."""
    path = FIXTURES / "traefik_log" / "clf-default.log"
    assert detect_kind(path, read_head(path)) is SourceKind.ACCESS_LOG
    sample = read(path)
    assert (sample.parsed_lines, sample.rejected_lines, sample.distinct_clients) == (6, 0, 3)
    paths = by_key(sample)
    assert paths["GET /v1/policies/{id}"].requests == 3
    assert paths["GET /v1/policies/{id}"].query_keys == {"access_token": 1, "lang": 1}
    assert paths["POST /v1/auth/token"].clients[0].failed_auth == 2
    text = repr(sample)
    assert "PLANTED" not in text and "planted-basic-user" not in text and "10.0.4.12" not in text


def test_envoy_s_default_text_format_trusts_only_the_address_envoy_appended(tmp_path: Path) -> None:
    path = FIXTURES / "envoy_log" / "default-text.log"
    disguised = tmp_path / "envoy.json"  # judged by content, whatever the name says
    disguised.write_bytes(path.read_bytes())
    assert detect_kind(disguised, read_head(disguised)) is SourceKind.ENVOY_LOG
    sample = read(disguised)
    assert (sample.format, sample.total_lines, sample.parsed_lines, sample.rejected_lines) == ("envoy_text", 16, 14, 2)
    assert any("(1 do not parse, 1 have no HTTP request line) at lines 15, 16" in w for w in sample.warnings)
    paths = by_key(sample)
    # the walker forges a different first X-Forwarded-For entry each time: still one client
    walker = max(paths[f"GET {HOST}/v1/policies/{{id}}"].clients, key=lambda client: client.objects)
    assert (walker.requests, walker.objects, walker.lowest_id, walker.highest_id) == (6, 6, 1001, 1006)
    [stuffer] = paths[f"POST {HOST}/v1/auth/token"].clients
    assert (stuffer.failed_auth, stuffer.peak_failed_auth_per_minute) == (6, 6)
    assert sample.distinct_clients == 3  # walker, 192.0.2.10, 203.0.113.50; a line without the header is none
    text = repr(sample)
    assert "PLANTED" not in text and "198.51.100.7" not in text and "10.0.4.12" not in text


ODD_VALUES = ["GET", "", "-", " get ", 200, 200.0, 1.5, 1e20, -3, 10**20, True, None, [], {}, {"username": "u"},
              "\u00e9\u0000", "1794211200000", 1794211200000]


@pytest.mark.parametrize("value", ODD_VALUES, ids=repr)
def test_the_fast_decode_and_the_line_by_line_path_give_the_same_rows(value: object) -> None:
    from riskscan.sources.traffic.jsonl.apisix_log import APISIX_LOG_FIELDS
    from riskscan.sources.traffic.jsonl.columns import requests_from_columns
    from riskscan.sources.traffic.jsonl.decode import JsonLinesFormat, _slow_rows

    polars = pytest.importorskip("polars")
    log_format = JsonLinesFormat("apisix_log", "an APISIX logger log", APISIX_LOG_FIELDS)
    entries = [apisix_entry(request={"method": value, "uri": "/v1/claims/7"}),
               apisix_entry(response={"status": value}, start_time=value, client_ip=value, consumer=value),
               apisix_entry(request={"method": "GET", "uri": value, "url": value, "headers": {"host": value}})]
    for number, entry in enumerate(entries, 1):
        line = polars.DataFrame({"line": [number], "text": [json.dumps(entry)]})
        fast, pieces = log_format._decode(line)
        if pieces:
            continue  # the schema refused it: only the slow path reads it, nothing to compare
        slow, malformed = _slow_rows(line, log_format._columns)
        assert not malformed
        by_fast = requests_from_columns(fast, APISIX_LOG_FIELDS, "apisix_log")
        by_slow = requests_from_columns(slow, APISIX_LOG_FIELDS, "apisix_log")
        assert by_fast.requests.to_dicts() == by_slow.requests.to_dicts()
        assert (by_fast.malformed, by_fast.not_requests) == (by_slow.malformed, by_slow.not_requests)


def test_a_zstd_head_is_bounded_and_a_corrupt_one_keeps_what_inflated(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.zst"
    bomb.write_bytes(zstandard.ZstdCompressor(level=19).compress(b"{" * (64 << 20)))  # 64 MiB of one byte
    assert len(read_head(bomb)) == 65536
    source = (FIXTURES / "kong_log" / "file-log.jsonl").read_bytes()
    cut = tmp_path / "cut.zst"
    cut.write_bytes(zstandard.ZstdCompressor().compress(source * 20)[:3000])
    head = read_head(cut)
    assert 0 < len(head) and source.startswith(head[:1000])


def test_envoy_gateway_s_default_json_names_its_path_and_authority_apart() -> None:
    # Envoy Gateway's default access log: `x-envoy-origin-path` and `:authority` keys
    sample = read(FIXTURES / "envoy_log" / "envoy-gateway-default.json")
    assert sample.format == "envoy_json"
    assert (sample.total_lines, sample.parsed_lines, sample.rejected_lines) == (5, 4, 1)  # code 0: no response
    paths = by_key(sample)
    assert set(paths) == {f"GET {HOST}/v1/policies/{{id}}", f"POST {HOST}/v1/auth/token", f"GET {HOST}/v1/unrouted"}
    policies = paths[f"GET {HOST}/v1/policies/{{id}}"]
    assert (policies.requests, len(policies.clients), policies.query_keys) == (2, 1, {"expand": 1})
    assert paths[f"POST {HOST}/v1/auth/token"].unauthorized == 1


def test_contour_s_default_json_times_entries_by_its_timestamp_key() -> None:
    sample = read(FIXTURES / "envoy_log" / "contour-default.json")
    assert (sample.format, sample.parsed_lines, sample.rejected_lines) == ("envoy_json", 3, 0)
    assert sample.first_seen is not None and sample.first_seen.isoformat() == "2026-11-09T08:00:01+00:00"
    paths = by_key(sample)
    assert paths[f"GET {HOST}/v1/claims/{{id}}"].requests == 2
    assert paths[f"DELETE {HOST}/v1/claims/{{id}}"].unauthorized == 1


def test_kong_0x_entries_name_their_url_and_consumer_as_kong_0x_did() -> None:
    # Kong 0.x's basic serializer: `request.request_uri` (the URL), `authenticated_entity.consumer_id`
    sample = read(FIXTURES / "kong_log" / "file-log-0x.jsonl")
    assert (sample.format, sample.parsed_lines, sample.rejected_lines) == ("kong_log", 3, 0)
    paths = by_key(sample)
    assert set(paths) == {f"GET {HOST}/v1/policies/{{id}}", f"POST {HOST}/v1/claims"}
    [consumer] = paths[f"GET {HOST}/v1/policies/{{id}}"].clients  # one consumer from two addresses
    assert consumer.requests == 2
