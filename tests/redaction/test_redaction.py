"""Redaction: credentials and personal data are replaced before anything is kept."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskscan.redaction import (
    is_secret_key,
    redact,
    redact_file_path,
    redact_host,
    redact_name,
    redact_path,
    redact_path_segment,
    redact_pointer,
)


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
        # riskscan's own one-line messages about a file whose name holds a secret word
        "x-auth.postman_collection.json:8: malformed JSON: expecting ',' delimiter",
        "specs/token-service.yaml:112: $ref '#/components/schemas/Tok' does not resolve",
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


# --------------------------------------------------------------------------- issue 6: every shape, decoded

SLACK = "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"


@pytest.mark.parametrize(
    ("segment", "placeholder"),
    [
        ("token=abc123def", "token={token}"),
        ("password=hunter-horse-12345", "password={token}"),
        ("access_token=xyz", "access_token={token}"),
        ("secret=s3cr3t", "secret={token}"),
        ("email=jane%40mail.com", "email={email}"),
        (SLACK, "{token}"),
        ("q83vEjRWeJq%2B%2FvfLnM7k9A%3D%3D", "{token}"),  # base64 with + / =, encoded
        ("q83vEjRWeJq+vfLnM7k9Aab==", "{token}"),
        ("4111%201111%201111%201111", "{card}"),
        ("jane%40mail.com", "{email}"),
        ("jane%2540mail.com", "{email}"),  # encoded twice
        ("jane%2Edoe@mail%2Ecom", "{email}"),
        ("Bearer%20abcDEF123456789xyz", "{token}"),
        ("2001:db8::7", "{ip}"),
        ("2001%3Adb8%3A%3A7", "{ip}"),
        ("+14155552671", "{phone}"),
        ("%2B44%2020%207946%200123", "{phone}"),
        ("GB82WEST12345698765432", "{iban}"),
        ("GB82%20WEST%201234%205698%207654%2032", "{iban}"),
        ("a\u202eb", "a%E2%80%AEb"),  # shown, but inert
        ("xjAJXh38I15wypJXxuGMBp0EAVxt0G0biEntp43Qt6E.ttf", "{token}.ttf"),  # a hashed asset stays an asset
        ("jane&#64;mail.com", "{email}"),  # HTML character references: the `;` ends one, not a parameter
        ("jane&#x40;mail.com", "{email}"),
        ("jane&commat;mail.com", "{email}"),
        ("token&#61;abc123def", "token={token}"),
        ("jane\\u0040mail.com", "{email}"),  # escapes left in a log line that was not JSON
        ("jane\\x40mail.com", "{email}"),
    ],
)
def test_segments_are_judged_decoded(segment: str, placeholder: str) -> None:
    assert redact_path_segment(segment) == placeholder


@pytest.mark.parametrize(
    "segment",
    [
        "how-to-renew-2024",
        "2024-01-01",
        "12345",
        "GB00WEST12345698765432",  # IBAN-shaped, but the check digits fail
        "claims%20archive",
        "%2E%2E",
        "getPolicyV2Details",
        "page=2",
        "ns:resource",
        "terms&amp;conditions",
        "cart;v=2",
    ],
)
def test_ordinary_segments_survive_decoding(segment: str) -> None:
    assert redact_path_segment(segment) == segment


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ('{"password": "correct horse battery"}', "correct horse battery"),
        ("{'api_key': 'k-123-abc'}", "k-123-abc"),
        ('{"token": 123456}', "123456"),
        ("redis://:s3cretpw@cache.internal:6379", "s3cretpw"),
        ("https://ghp_abcdefghijklmnopqrstuvwxyz0123@github.com/x", "ghp_abcdefghijklmnopqrstuvwxyz0123"),
        ("Cookie: theme=dark; uid=u12345abc; csrftoken=abc", "u12345abc"),
        ("call +44 20 7946 0123 after six", "7946 0123"),
        ("call (415) 555-2671 after six", "555-2671"),
        ("pay GB82 WEST 1234 5698 7654 32 now", "WEST 1234"),
        ("email=jane%40mail.com", "jane%40mail.com"),
        ("card 4111%201111%201111%201111", "4111%201111"),
        ("Authorization: Bearer%20abcDEF123456789xyz", "abcDEF123456789xyz"),
        (f"slack {SLACK}", "AbCdEfGhIjKlMnOpQrStUvWx"),
        ("blob q83vEjRWeJq+/vfLnM7k9A== attached", "q83vEjRWeJq"),
        ("hosts=ruFPEhWerQHlk0kqrAS8DkTWhpssNwZo.example.com", "ruFPEhWerQHlk0kqrAS8DkTWhpssNwZo"),
        ("x\u202ey\u2028z\u2066", "\u202e"),
        ("Claims (owner jane.doe&#64;mail.com)", "jane.doe"),
        ("owner jane.doe&#x40;mail.com", "jane.doe"),
        ("owner jane.doe&commat;mail.com", "jane.doe"),
        ("{&quot;password&quot;: &quot;correct horse&quot;}", "correct horse"),
        ("owner jane.doe\\u0040mail.com", "jane.doe"),
        ("set password\\x3dhunter2horse", "hunter2horse"),
    ],
)
def test_free_text_forms_are_redacted(text: str, secret: str) -> None:
    assert secret not in redact(text)


@pytest.mark.parametrize(
    "text",
    [
        "Calls getPolicyV2Details for bearer tokens",
        "Basic Authentication is used",
        "protected at best by no authentication: a caller who changes the id",
        "static API keys or opaque bearer tokens: a caller",
        "GET /v2/partners/statements/monthly-summary-for-brokers",
        "claim 550e8400-e29b-41d4-a716-446655440000 at 13:55:36 on 2024-01-01",
        "R&amp;D claims, C:\\data\\x-ray exports",
        "k8s/db-secret.yaml: refused YAML: unacceptable character",  # riskscan's own messages
        "captures/session-2026.har: not UTF-8 text (bad byte at offset 110)",
        "/srv/api-secrets: nothing could be read",
    ],
)
def test_free_text_prose_survives(text: str) -> None:
    assert redact(text) == text


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        ("brokers/jane@mail.com/claims.yaml", "brokers/{email}/claims.yaml"),
        ("logs/token=abc123/access.log", "logs/token={token}/access.log"),
        (f"{SLACK}.log", "{token}.log"),
        ("export-jane@mail.com.csv", "{email}"),
        ("a\u202eb/openapi.yaml", "a%E2%80%AEb/openapi.yaml"),
        ("claims\n\x1b[31mspec.yaml", "claims%0A%1B[31mspec.yaml"),  # inert and still named, not hidden
        ("claims api\r.yaml", "claims api%0D.yaml"),
    ],
)
def test_file_and_folder_names_are_redacted(path: str, shown: str) -> None:
    assert redact_file_path(path) == shown


def test_pointers_are_redacted_token_by_token() -> None:
    assert redact_pointer("/paths/~1users~1jane@mail.com/get") == "/paths/~1users~1{email}/get"


def test_hosts_keep_server_addresses_and_lose_token_labels() -> None:
    assert redact_host("2001:db8::10") == "2001:db8::10"
    assert redact_host("rufpehwerqhlk0kqras8dktwhpssnwzo.ngrok.example") == "{token}.ngrok.example"
    service = "claims-api-prod-eu-west-1.svc.cluster.local"
    assert redact_host(service) == service


_PIECES = [
    "jane@mail.com", "password", "=", "hunter2", "{token}", "[REDACTED]", "[REDACTED EMAIL]", "Bearer",
    "abcDEF123456789xyzQ", SLACK, "4111 1111 1111 1111", "2001:db8::7", "10.0.0.1", "v2", "claims", "%40",
    "%20", '"', "'", ":", ";", "Cookie", "://", "@", "\u202e", "GB82WEST12345698765432", "+1 415 555 2671",
]  # fmt: skip


@settings(max_examples=300, derandomize=True)
@given(st.lists(st.sampled_from(_PIECES), max_size=12), st.sampled_from(["", " ", "/", "; "]))
def test_redaction_is_idempotent(pieces: list[str], separator: str) -> None:
    text = separator.join(pieces)
    for function in (redact, redact_name, redact_path, redact_file_path, redact_pointer, redact_host):
        once = function(text)
        assert function(once) == once, function.__name__


# --------------------------------------------------------------------------- long values

_LONG_VALUES = {
    "kebab": "a-" * 100_000,  # a name rule tried at every word boundary backtracked over the rest
    "dotted": "v1." * 70_000,
    "letters": "A" * 200_000 + " jane@mail.com",  # an address rule tried at every letter
    "encoded": "%41 " + "a" * 200_000,  # the decoding rule tried at every letter after the first chunk
}


@pytest.mark.parametrize("shape", sorted(_LONG_VALUES))
def test_a_long_value_is_redacted_without_hanging(shape: str) -> None:
    # An attacker's 200 kB route name or port value took minutes per field (the rules backtracked
    # quadratically); a separate process bounds the wait, so a regression fails instead of hanging.
    script = (
        "import sys; sys.path[:0] = [sys.argv[1]]\n"
        "from test_redaction import _LONG_VALUES\n"
        "from riskscan.redaction import redact, redact_path\n"
        "value = _LONG_VALUES[sys.argv[2]]\n"
        "print(redact(value)[-20:], redact_path(value)[-20:])\n"
    )
    result = subprocess.run([sys.executable, "-c", script, str(Path(__file__).parent), shape],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert "jane@mail.com" not in result.stdout


def test_an_atom_longer_than_any_name_is_a_token() -> None:
    # Judged as a token outright: weighing a 12 MB route id letter by letter took a minute a scan.
    assert redact("route voyages" + "A" * 5000) == "route [REDACTED TOKEN]"
    assert redact("route getPolicyV2Details") == "route getPolicyV2Details"
