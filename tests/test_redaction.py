"""Redaction: credentials and personal data are replaced before anything is kept."""

from __future__ import annotations

import pytest

from riskscan.redaction import is_secret_key, redact, redact_path, redact_path_segment


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("Authorization: Bearer abcDEF123456789xyz", "abcDEF123456789xyz"),
        ("token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJkZW1vIn0.c2lnbmF0dXJl here", "eyJhbGciOiJIUzI1NiJ9"),
        ("GET /x?api_key=nwm-live-SECRET-DEMO-9f8e7d&page=2", "nwm-live-SECRET-DEMO-9f8e7d"),
        ("password: hunter2-correct-horse", "hunter2-correct-horse"),
        ("client_secret=s3cr3t-value-1", "s3cr3t-value-1"),
        ("Cookie: session=AbC123xYz789", "AbC123xYz789"),
        ("contact jane.broker@example.com today", "jane.broker@example.com"),
        ("ssn 123-45-6789 on file", "123-45-6789"),
        ("card 4111 1111 1111 1111 used", "4111 1111 1111 1111"),
        ("client 203.0.113.77 called", "203.0.113.77"),
        ("client 2001:db8::17 called", "2001:db8::17"),
        ("https://admin:pa55word@db.internal/x", "pa55word"),
        ("key AKIAIOSFODNN7EXAMPLE leaked", "AKIAIOSFODNN7EXAMPLE"),
        ("-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----", "MIIEpAIBAAKCAQEA"),
        ("opaque dGhpc2lzYXZlcnlsb25nc2VjcmV0dG9rZW52YWx1ZQ", "dGhpc2lzYXZlcnlsb25nc2VjcmV0dG9rZW52YWx1ZQ"),
    ],
)
def test_redact_removes_secret_from_free_text(text: str, secret: str) -> None:
    redacted = redact(text)
    assert secret not in redacted
    assert "[REDACTED" in redacted


@pytest.mark.parametrize(
    "text",
    [
        "GET /v2/claims/{claimId} returns the claim",
        "route quotes-prod: uris /v2/quotes*, methods GET,POST",
        "limit-count by http_x_partner_id (1000/60s)",
    ],
)
def test_redact_keeps_ordinary_text(text: str) -> None:
    assert redact(text) == text


@pytest.mark.parametrize(
    ("segment", "placeholder"),
    [
        ("jane.broker@example.com", "{email}"),
        ("jane.broker%40example.com", "{email}"),
        ("123-45-6789", "{ssn}"),
        ("4111111111111111", "{card}"),
        ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJkZW1vIn0.c2lnbmF0dXJl", "{token}"),
        ("sk_live_4eC39HqLyjWDarjtT1zdp7dc", "{token}"),
        ("198.51.100.4", "{ip}"),
        ("a@b.io", "{email}"),
        ("dGhpc2lzYXZlcnlsb25nc2VjcmV0dG9rZW52YWx1ZQ", "{token}"),  # a reset link's secret
        ("cart;jsessionid=0F2A9C8B7D1E", "cart;jsessionid={token}"),  # a Java session in the path
    ],
)
def test_redact_path_segment_replaces_personal_data(segment: str, placeholder: str) -> None:
    assert redact_path_segment(segment) == placeholder


@pytest.mark.parametrize(
    "segment",
    [
        "claims",
        "CLM-000123456",
        "1234567890123",
        "v2",
        "550e8400-e29b-41d4-a716-446655440000",
        "d41d8cd98f00b204e9800998ecf8427e",  # a hex digest: one case, left for folding
        "01ARZ3NDEKTSV4RRFFQ69G5FAV",  # a ULID
        "How-To-Renew-A-Commercial-Policy-2024",  # a slug
        "quotes;v=2",
    ],
)
def test_redact_path_segment_keeps_ids_that_are_not_personal(segment: str) -> None:
    # 1234567890123 fails the Luhn check: an order number, not a card.
    assert redact_path_segment(segment) == segment


def test_redact_path_works_segment_by_segment() -> None:
    assert redact_path("/v1/brokers/lookup/jane.broker@example.com") == "/v1/brokers/lookup/{email}"


@pytest.mark.parametrize("name", ["password", "client_secret", "key", "admin_key", "X-API-Key", "Cookie", "token"])
def test_secret_keys_are_recognised(name: str) -> None:
    assert is_secret_key(name)


@pytest.mark.parametrize("name", ["key_type", "bearer_only", "uri", "methods", "time_window", "header"])
def test_structural_keys_are_not_secret(name: str) -> None:
    assert not is_secret_key(name)
