"""Verbose error bodies in HAR captures: kinds and counts per endpoint, never the text."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from riskscan.model import PathTraffic, TrafficSample
from riskscan.sources import ReadContext
from riskscan.sources.traffic.har import HarReader
from riskscan.sources.traffic.verbose_errors import MAX_SCANNED_CHARS, leak_kinds, leak_patterns

HAR = Path(__file__).resolve().parents[2] / "fixtures" / "har"
PLANTED = ("PLANTED-DB-PASSWORD", "PLANTED-CUSTOMER-NAME", "PLANTED-DJANGO-SECRET", "PLANTED-CARD",
           "4111111111111111")


def read(path: Path) -> TrafficSample:
    return HarReader().read(path, ReadContext(root=path.parent, client_id=lambda _: 1))


def by_endpoint(sample: TrafficSample) -> dict[str, PathTraffic]:
    return {f"{item.method} {item.path}": item for item in sample.paths}


def test_error_bodies_leave_only_their_kinds_per_endpoint() -> None:
    paths = by_endpoint(read(HAR / "verbose-errors.har"))
    claims = paths["GET /v1/claims/{id}"]
    assert claims.verbose_errors == {"exception_class": 1, "sql_error": 1, "stack_trace": 1}
    assert claims.verbose_error_responses == 2 and len(claims.verbose_error_lines) == 2
    assert paths["POST /v1/quotes"].verbose_errors == {"debug_page": 1}
    assert paths["GET /v1/payments/{id}"].verbose_errors == {"exception_class": 1, "stack_trace": 1}  # base64


def test_clean_errors_and_successful_answers_leak_nothing() -> None:
    """A 404 with a plain message, a problem+json 400, and a 200 whose body names an exception."""
    paths = by_endpoint(read(HAR / "verbose-errors.har"))
    assert paths["GET /v1/quotes/{id}"].verbose_errors == {}
    assert paths["GET /v1/policies/{id}"].verbose_errors == {}


def test_no_planted_text_from_an_error_body_is_kept() -> None:
    dumped = repr(read(HAR / "verbose-errors.har").model_dump())
    assert not any(secret in dumped for secret in PLANTED)


@pytest.mark.parametrize(
    ("body", "kinds"),
    [
        ('{"trace":"x\\n\\tat com.acme.Svc.run(Svc.java:12)"}', {"stack_trace"}),
        ("goroutine 1 [running]:\nmain.main()", {"stack_trace"}),
        ("PHP Fatal error ... #0 /var/www/html/index.php(12): run()", {"stack_trace"}),
        ("SQLSTATE[23000]: Integrity constraint violation", {"sql_error"}),
        ('ERROR: syntax error at or near "WHERE"', {"sql_error"}),
        ("<title>Whitelabel Error Page</title>", {"debug_page"}),
        ("Server Error in '/' Application.", {"debug_page"}),
        ("System.NullReferenceException: Object reference not set", {"exception_class"}),
        ('{"error":"Internal server error","requestId":"abc-123"}', set()),
        ('{"title":"Not Found","status":404}', set()),
    ],
)
def test_each_kind_of_leak_and_generic_bodies(body: str, kinds: set[str]) -> None:
    assert set(leak_kinds(body)) == kinds


def test_a_hostile_body_is_cut_and_matched_in_linear_time() -> None:
    """RE2 patterns, and only the first characters: a trace past them is not seen."""
    padding = "a" * (MAX_SCANNED_CHARS + 10)
    assert leak_kinds(padding + "Traceback (most recent call last)") == frozenset()
    assert leak_kinds("(" * 200_000) == frozenset()


def test_a_base64_body_that_does_not_decode_leaks_nothing() -> None:
    assert leak_kinds("%%%not-base64%%%", "base64") == frozenset()
    assert leak_kinds(base64.b64encode(b"ORA-00942: table or view does not exist").decode(), "base64") == {
        "sql_error"}


def test_every_packaged_pattern_compiles_with_re2() -> None:
    assert set(leak_patterns()) == {"stack_trace", "sql_error", "debug_page", "exception_class"}


def test_an_error_entry_without_content_is_no_leak(tmp_path: Path) -> None:
    entry = {"startedDateTime": "2026-11-10T09:00:00Z", "request": {"method": "GET",
             "url": "https://api.harbor.example/v1/x"}, "response": {"status": 500, "content": {"size": 0}}}
    path = tmp_path / "bare.har"
    path.write_text(json.dumps({"log": {"creator": {"name": "t"}, "entries": [entry]}}), encoding="utf-8")
    assert read(path).paths[0].verbose_errors == {}
