"""HAR 1.2 captures: entries become endpoints through the traffic engine, one client per file,
response bodies only as field names, bad entries cost themselves, and nothing secret survives."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from riskscan.errors import SourceError
from riskscan.model import PathTraffic, SourceKind, TrafficSample
from riskscan.sources import ReadContext, detect_kind, make_client_hasher, read_head
from riskscan.sources.traffic.har import HarReader
from riskscan.sources.traffic.response_fields import MAX_FIELDS_PER_BODY, is_json_type, response_field_names

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "har"
CORPUS_HAR = Path(__file__).resolve().parents[4] / "shared" / "corpus" / "traffic" / "har"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2VjcmV0LXNpZ25hdHVyZS12YWx1ZS0xMjM0NQ"
SECRETS = (JWT, "eyJhbGciOiJIUzI1NiJ9", "sk_live_4eC39HqLyjWDarjtT1zdp7dc", "s3ss10n-hunter2-99887766", "hunter2-horse-55555",
           "123-45-6789", "jane.doe", "Jane Doe", "GB82WEST12345698765432", "7946 0958", "1980-02-29", "POL-0001234")


def read(path: Path, salt: bytes = b"har-test") -> TrafficSample:
    return HarReader().read(path, ReadContext(root=path.parent, client_id=make_client_hasher(salt)))


def by_key(sample: TrafficSample) -> dict[str, PathTraffic]:
    return {f"{item.method} {item.host or ''}{item.path}": item for item in sample.paths}


def test_entries_become_endpoints_with_one_client_per_capture() -> None:
    sample = read(FIXTURES / "claims-portal.har")
    assert (sample.format, sample.total_lines, sample.parsed_lines, sample.rejected_lines) == ("har", 9, 8, 1)
    assert sample.distinct_clients == 1  # a HAR names no client: the capture is one
    paths = by_key(sample)
    claim = paths["GET api.example-insurer.com/v1/claims/{id}"]
    assert (claim.requests, claim.status_classes) == (3, {"2xx": 2, "5xx": 1})
    assert claim.query_keys == {"expand": 1, "access_token": 1}  # keys only
    [client] = claim.clients
    assert (client.objects, client.lowest_id, client.highest_id) == (3, 100234, 100237)
    assert claim.sample_lines[0] == 17  # the entry's line in the file, as evidence
    assert paths["POST api.example-insurer.com/v1/auth/token"].unauthorized == 1
    assert "GET portal.example-insurer.com/claims" in paths
    assert sample.first_seen is not None and sample.first_seen.isoformat() == "2026-11-09T07:00:01+00:00"  # UTC
    assert "at line 419" in sample.warnings[0]  # status 0: blocked by the browser
    assert "1 JSON response bodies not read" in sample.warnings[1]


def test_response_bodies_leave_only_field_names_per_endpoint() -> None:
    paths = by_key(read(FIXTURES / "claims-portal.har"))
    assert paths["GET api.example-insurer.com/v1/claims/{id}"].response_fields == (
        "adjuster.phone", "id", "payments[].amount", "payments[].card.brand", "payments[].card.last4",
        "payments[].iban", "policy.holder.dateOfBirth", "policy.holder.email", "policy.holder.name",
        "policy.number", "status",
    )  # the union over the entries of the endpoint
    assert paths["GET api.example-insurer.com/v1/policies"].response_fields == (  # a base64 top-level array
        "[].number", "[].premium.amount", "[].premium.currency")
    assert paths["POST api.example-insurer.com/v1/auth/token"].response_fields == ("error", "error_description")
    assert paths["GET portal.example-insurer.com/claims"].response_fields == ()  # HTML: nothing


def test_body_field_names_are_bounded_and_keys_that_are_data_become_placeholders() -> None:
    paths = by_key(read(FIXTURES / "odd-bodies.har"))
    assert paths["GET api.example-insurer.com/v1/deep"].response_fields == ("a.b.c.d.e.f",)  # depth 6
    assert len(paths["GET api.example-insurer.com/v1/wide"].response_fields) == MAX_FIELDS_PER_BODY
    assert paths["GET api.example-insurer.com/v1/keyed"].response_fields == (
        "accounts.{id}.balance", "{email}", "{key}")  # ids folded, an email redacted, a 300-char key named
    assert paths["GET api.example-insurer.com/v1/nested-too-deep"].response_fields == ()


@pytest.mark.parametrize(
    ("mime_type", "is_json"),
    [("application/json", True), ("application/json; charset=utf-8", True), ("application/problem+json", True),
     ("application/vnd.api+json", True), ("text/html", False), ("application/jsonp", False), ("", False)],
)
def test_json_media_types(mime_type: str, is_json: bool) -> None:
    assert is_json_type(mime_type) is is_json


@pytest.mark.parametrize("body", ["{", "not json", "1" * 5000, "eyJ!!", ""])
def test_unreadable_bodies_give_none_not_an_error(body: str) -> None:
    encoding = "base64" if body.startswith("eyJ") else None
    assert response_field_names(body, encoding) in (None, frozenset())


def test_a_bad_entry_costs_that_entry() -> None:
    sample = read(FIXTURES / "wrong-types.har")
    assert (sample.total_lines, sample.parsed_lines, sample.rejected_lines) == (8, 2, 6)
    assert "6 of 8 entries rejected (4 malformed, 2 without an HTTP request and answer)" in sample.warnings[0]
    assert by_key(sample)["GET api.example-insurer.com/v1/claims/{id}"].requests == 2


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("truncated.har", r"^truncated\.har:\d+: malformed JSON: "),
        ("entries-not-a-list.har", r"^entries-not-a-list\.har: not a HAR capture: no log\.entries list$"),
    ],
)
def test_a_broken_capture_fails_in_one_line_naming_the_file(name: str, message: str) -> None:
    with pytest.raises(SourceError, match=message) as raised:
        read(FIXTURES / name)
    assert "\n" not in str(raised.value)


def test_gzip_and_size_limit(tmp_path: Path) -> None:
    packed = tmp_path / "capture.har.gz"
    packed.write_bytes(gzip.compress((FIXTURES / "claims-portal.har").read_bytes()))
    assert detect_kind(packed, read_head(packed)) == SourceKind.HAR
    def summary(sample: TrafficSample) -> list[tuple[object, ...]]:  # the client differs: it is the file
        return [(item.method, item.host, item.path, item.requests, item.response_fields) for item in sample.paths]

    assert summary(read(packed)) == summary(read(FIXTURES / "claims-portal.har"))
    context = ReadContext(root=tmp_path, max_bytes=1000)
    with pytest.raises(SourceError, match=r"^capture\.har\.gz: .*1000-byte limit"):
        HarReader().read(packed, context)


def test_sniffing() -> None:
    reader = HarReader()
    assert reader.sniff(Path("x.har"), (FIXTURES / "claims-portal.har").read_bytes()[:4096])
    assert not reader.sniff(Path("x.json"), b'{"openapi": "3.0.3", "log": {}}')
    assert not reader.sniff(Path("x.json"), b'{"log": "text", "entries": []}')


def test_an_empty_capture_is_read_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "empty.har"
    path.write_text(json.dumps({"log": {"version": "1.2", "creator": {"name": "x"}, "entries": []}}))
    sample = read(path)
    assert (sample.paths, sample.warnings) == ((), ("no entries",))


def test_headers_cookies_query_values_and_bodies_reach_nothing_kept() -> None:
    sample = read(FIXTURES / "claims-portal.har")
    text = repr(sample)
    assert [secret for secret in SECRETS if secret in text] == []
    assert "Bearer" not in text and "Authorization" not in text


@pytest.mark.skipif(not CORPUS_HAR.is_dir(), reason="the shared corpus (../shared/corpus/traffic/har) is absent")
@pytest.mark.parametrize("name", ["chrome.har", "firefox.har", "charles.har", "insomnia.har", "websocket.har"])
def test_real_captures_read(name: str) -> None:
    path = CORPUS_HAR / name
    assert detect_kind(path, read_head(path)) == SourceKind.HAR
    sample = read(path)
    assert sample.paths and sample.distinct_clients == 1
    text = repr(sample)
    assert "VCXCEuvhGcBDP7XhiJJUDvR1e1D3ei" not in text  # websocket.har's api_key value
    capture = json.loads(path.read_text())
    cookies = [cookie["value"] for entry in capture["log"]["entries"] for cookie in entry["request"]["cookies"]]
    assert [value for value in cookies if len(value) > 6 and value in text] == []
