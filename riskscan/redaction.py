"""Redaction of secrets and personal data, applied at ingestion.

Nothing an input says about credentials or people may reach an output, a log line, a database row or
an error message. Readers call these functions on everything they keep: `redact` on free text
(excerpts, messages), `redact_path_segment` on each segment of a concrete URL path, and
`is_secret_key` to decide whether a configuration value may be kept at all.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = [
    "REDACTED",
    "is_secret_key",
    "redact",
    "redact_path",
    "redact_path_segment",
]

REDACTED = "[REDACTED]"

_SECRET_KEY_WORDS = (
    "password",
    "passwd",
    "pwd",
    "secret",
    "token",
    "apikey",
    "api_key",
    "api-key",
    "access_key",
    "accesskey",
    "private_key",
    "privatekey",
    "credential",
    "auth",
    "cookie",
    "session",
    "signature",
    "admin_key",
    "key",
    "cert",
    "ssn",
    "card",
)
# Key names that contain a secret word but hold no secret: safe to keep.
_NOT_SECRET_KEYS = frozenset(
    {
        "key_type",
        "key_claim_name",
        "header",
        "query",
        "hide_credentials",
        "bearer_only",
        "token_endpoint",
        "authorization_endpoint",
        "token_url",
        "tokenurl",
        "authorizationurl",
        "refreshurl",
        "token_signing_alg_values_expected",
        "introspection_endpoint",
        "introspection_endpoint_auth_method",
        "token_endpoint_auth_method",
        "auth_method",
        "keys",
        "key_name",
        "ssl_verify",
    }
)


def is_secret_key(name: str) -> bool:
    """True when a configuration key's value may be a credential and must not be kept.

    Errs on the side of dropping: `key`, `client_secret`, `admin_key`, `password`, `Cookie` ... are
    all secret; a few well-known structural keys (`key_type`, `bearer_only`) are not.
    """
    lowered = name.strip().lower()
    if lowered in _NOT_SECRET_KEYS:
        return False
    return any(word in lowered for word in _SECRET_KEY_WORDS)


# Ordered: the most specific patterns first, so that a JWT is not half-eaten by the token rule.
_TEXT_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(?:-----END [A-Z ]*PRIVATE KEY-----|\Z)", re.DOTALL),
        "[REDACTED PRIVATE KEY]",
    ),
    (re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"), "[REDACTED JWT]"),
    (
        re.compile(r"(?i)\b(bearer|basic|digest|token|apikey|api-key)(\s+)[A-Za-z0-9._~+/=-]{6,}"),
        r"\1\2[REDACTED]",
    ),
    (re.compile(r"(?i)(://)[^/\s:@]+:[^/\s@]+@"), r"\1[REDACTED]@"),
    (
        re.compile(
            r"(?i)\b([\w.-]*(?:password|passwd|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|"
            r"session|sessionid|sid|cookie|auth|signature|sig|key|code)[\w.-]*)"
            r"(\s*[=:]\s*[\"']?)([^\s\"'&;,}]+)"
        ),
        r"\1\2[REDACTED]",
    ),
    (re.compile(r"(?i)\b(AKIA|ASIA)[A-Z0-9]{16}\b"), "[REDACTED AWS KEY]"),
    (re.compile(r"\b(sk|pk|rk)_(live|test)_[A-Za-z0-9]{8,}\b"), "[REDACTED KEY]"),
    (re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"), "[REDACTED EMAIL]"),
    (re.compile(r"\b\d{3}-\d{2}-\d{4}\b"), "[REDACTED SSN]"),
    (re.compile(r"\b(?:\d[ -]?){12,18}\d\b"), "[REDACTED NUMBER]"),
    (
        re.compile(r"\b(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}\b"),
        "[REDACTED IP]",
    ),
    (
        # IPv6: either compressed (`::`) or all eight groups, so that times like 13:55:36 survive.
        re.compile(
            r"(?i)(?<![\w:])(?=[0-9a-f:]*::|(?:[0-9a-f]{1,4}:){7})"
            r"[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}(?![\w:])"
        ),
        "[REDACTED IP]",
    ),
    (re.compile(r"\b[A-Za-z0-9+/_-]{32,}={0,2}"), "[REDACTED TOKEN]"),
)


def redact(text: str) -> str:
    """Replace credentials and personal data in free text with `[REDACTED ...]` markers.

    Covers private keys, JWTs, `Authorization` values, URL userinfo, `name=value` pairs whose name
    suggests a secret, AWS and Stripe-style keys, emails, SSNs, card-like numbers, IPv4/IPv6
    addresses and long opaque tokens.
    """
    for pattern, replacement in _TEXT_RULES:
        text = pattern.sub(replacement, text)
    return text


_EMAIL_SEGMENT = re.compile(r"^[^/@\s]+@[^/@\s]+\.[A-Za-z]{2,}$")
_SSN_SEGMENT = re.compile(r"^\d{3}-\d{2}-\d{4}$")
_CARD_SEGMENT = re.compile(r"^\d(?:[ -]?\d){12,18}$")
_JWT_SEGMENT = re.compile(r"^eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")
_IPV4_SEGMENT = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$")
_SECRET_PREFIX_SEGMENT = re.compile(r"^(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]+$|^(?:AKIA|ASIA)[A-Z0-9]{16}$")


_OPAQUE_TOKEN_SEGMENT = re.compile(r"^[A-Za-z0-9_-]{32,}={0,2}$")


@lru_cache(maxsize=65536)
def redact_path_segment(segment: str) -> str:
    """Replace one URL path segment that carries personal data or a credential with a placeholder.

    Returns `{email}`, `{ssn}`, `{card}`, `{token}` or `{ip}`, or the segment unchanged. The
    placeholders double as folded template parameters, so a redacted path still inventories well.
    Matrix parameters with a secret name keep the name only (`cart;jsessionid={token}`). A long
    opaque string mixing upper and lower case and digits (a reset link's or webhook's secret) is a
    `{token}`; hex hashes and UUIDs, which are one case, stay for folding to judge.
    """
    if ";" in segment:
        return _redact_matrix_parameters(segment)
    if len(segment) < 6:  # `a@b.io` is the shortest segment any rule below matches
        return segment
    if ("@" in segment or "%40" in segment) and _EMAIL_SEGMENT.match(segment.replace("%40", "@")):
        return "{email}"
    if _SSN_SEGMENT.match(segment):
        return "{ssn}"
    if _CARD_SEGMENT.match(segment) and _passes_luhn(segment):
        return "{card}"
    if _JWT_SEGMENT.match(segment) or _SECRET_PREFIX_SEGMENT.match(segment) or _is_opaque_token(segment):
        return "{token}"
    if _IPV4_SEGMENT.match(segment):
        return "{ip}"
    return segment


def _redact_matrix_parameters(segment: str) -> str:
    """`cart;jsessionid=A1B2;v=2` -> `cart;jsessionid={token};v=2` (RFC 3986 path parameters)."""
    head, *parameters = segment.split(";")
    kept = [redact_path_segment(head)]
    for parameter in parameters:
        name, is_pair, value = parameter.partition("=")
        kept.append(f"{name}={{token}}" if is_pair and value and is_secret_key(name) else parameter)
    return ";".join(kept)


def _is_opaque_token(segment: str) -> bool:
    """True for 32+ characters of base64url mixing upper case, lower case and digits.

    Few dashes: a slug (`How-To-Renew-2024-...`) has one between every word, random text rarely.
    """
    return (
        _OPAQUE_TOKEN_SEGMENT.match(segment) is not None
        and segment.count("-") <= 2
        and not segment.islower()
        and not segment.isupper()
        and any(char.isdigit() for char in segment)
    )


def redact_path(path: str) -> str:
    """Apply `redact_path_segment` to every segment of a path (no query string expected)."""
    segments = path.split("/")
    redacted = [redact_path_segment(segment) for segment in segments]
    return "/".join(redacted)


def _passes_luhn(number: str) -> bool:
    """True when a digit string passes the Luhn checksum that payment card numbers carry."""
    digits = [int(char) for char in number if char.isdigit()]
    total = 0
    for index, digit in enumerate(reversed(digits)):
        if index % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0
