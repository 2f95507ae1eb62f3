"""Redaction of URL paths, file paths and JSON pointers, one segment at a time.

A path segment that carries a secret or personal data becomes a placeholder (`{email}`, `{token}` ...)
that doubles as a template parameter, so a redacted path still inventories well. Segments are judged
decoded, so `jane%40mail.com`, `jane&#64;mail.com` and `Bearer%20abc...` are caught like their plain forms.
"""

from __future__ import annotations

import html
import ipaddress
import re
from functools import lru_cache
from urllib.parse import quote

from riskscan.redaction.checks import (
    CHARACTER_REFERENCE,
    fully_decoded,
    has_random_atom,
    neutralise,
    passes_iban,
    passes_luhn,
)
from riskscan.redaction.text import is_secret_key, redact, redact_name

__all__ = [
    "redact_endpoint_key",
    "redact_file_path",
    "redact_host",
    "redact_path",
    "redact_path_segment",
    "redact_pointer",
]

_PLACEHOLDER = re.compile(r"^\{[A-Za-z0-9_]+\}$")
_EMAIL = re.compile(r"(?<![^/@\s])[^/@\s]+@[^/@\s]+\.[A-Za-z]{2,}")  # from a run's start: linear time
_SSN = re.compile(r"^\d{3}-\d{2}-\d{4}$")
_CARD = re.compile(r"^\d(?:[ -]?\d){12,18}$")
_PHONE = re.compile(r"^\+\d[\d .()-]{6,18}\d$|^\(?\d{3}\)?[ .-]\d{3}[ .-]\d{4}$")
_JWT = re.compile(r"^eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")
_IPV4 = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$")
_KNOWN_TOKEN = re.compile(
    r"^(?:(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]+|(?:AKIA|ASIA)[A-Z0-9]{16}|xox[abposr]-[A-Za-z0-9-]{10,}|"
    r"gh[pousr]_[A-Za-z0-9]{20,}|github_pat_\w{20,}|glpat-[\w-]{16,}|AIza[\w-]{30,}|sk-(?:proj-)?[\w-]{20,})$"
)
_AUTH_VALUE = re.compile(r"(?i)^(?:bearer|basic|digest|token|apikey)\s+\S{6,}$")
_OPAQUE = re.compile(r"^[A-Za-z0-9_-]{32,}={0,2}$")
_BASE64 = re.compile(r"^[A-Za-z0-9+/_-]{16,}={0,2}$")
_NAME = re.compile(r"^[\w.-]+$")
_EXTENSION = re.compile(r"\.[a-z][a-z0-9]{0,4}$")


@lru_cache(maxsize=65536)
def redact_path_segment(segment: str) -> str:
    """Replace one URL path segment that carries personal data or a credential with a placeholder.

    Returns `{email}`, `{ssn}`, `{card}`, `{iban}`, `{phone}`, `{ip}` or `{token}`, or the segment
    unchanged. `name=value` segments and matrix parameters with a secret name keep the name only
    (`token={token}`, `cart;jsessionid={token}`). Slugs, versions, dates, UUIDs, hex digests and
    numeric ids stay for folding to judge. Control characters are percent-encoded.
    """
    if _PLACEHOLDER.match(segment):
        return segment
    segment = _encode_controls(segment)
    if ";" in segment:
        return _redact_semicolons(segment)
    decoded = fully_decoded(segment)
    name, is_pair, value = decoded.partition("=")
    if is_pair and value.strip("=") and _NAME.match(name):
        if is_secret_key(name):
            return f"{name}={{token}}"
        inner = _placeholder_for(value)
        if inner is not None:
            return f"{name}={inner}"
    return _placeholder_for(decoded) or segment


def _placeholder_for(decoded: str) -> str | None:
    """The placeholder a decoded segment deserves, or None when it carries nothing to hide."""
    if len(decoded) < 3:
        return None
    if "/" in decoded and not _is_token(decoded):  # an encoded slash: judge each piece
        pieces = [_placeholder_for(piece) for piece in decoded.split("/")]
        return next((piece for piece in pieces if piece is not None), None)
    if "@" in decoded and _EMAIL.search(decoded):
        return "{email}"
    if _SSN.match(decoded):
        return "{ssn}"
    if _CARD.match(decoded) and passes_luhn(decoded):
        return "{card}"
    if passes_iban(decoded):
        return "{iban}"
    if _PHONE.match(decoded):
        return "{phone}"
    if _is_ip(decoded):
        return "{ip}"
    if _is_token(decoded):
        extension = _EXTENSION.search(decoded)  # a hashed asset's name keeps its kind: `{token}.ttf`
        return "{token}" + (extension[0] if extension else "")
    # text (`a%20b`, `pwd:x`); a control character alone is made inert, not hidden
    if re.search(r"[\s:\"']", decoded) and redact(decoded) != neutralise(decoded):
        return "{redacted}"
    return None


def _is_token(decoded: str) -> bool:
    """JWTs, well-known key formats, `Bearer ...` values, opaque base64(url) and multi-dash tokens."""
    if _JWT.match(decoded) or _KNOWN_TOKEN.match(decoded) or _AUTH_VALUE.match(decoded):
        return True
    if has_random_atom(decoded):
        return True
    is_mixed = not decoded.islower() and not decoded.isupper() and any(char.isdigit() for char in decoded)
    if _OPAQUE.match(decoded) and decoded.count("-") <= 2 and is_mixed:
        return True
    return bool(_BASE64.match(decoded) and re.search(r"[+/]|=$", decoded) and is_mixed)


def _is_ip(decoded: str) -> bool:
    if ":" not in decoded and not _IPV4.match(decoded):
        return False
    try:
        ipaddress.ip_address(decoded.strip("[]").partition("%")[0])
    except ValueError:
        return _IPV4.match(decoded) is not None  # 999.1.1.1: still address-shaped
    return True


def _redact_semicolons(segment: str) -> str:
    """A segment with `;`: matrix parameters, unless the `;` ends an HTML character reference
    (`jane&#64;mail.com`), which is judged unescaped first."""
    if CHARACTER_REFERENCE.search(segment):
        unescaped = html.unescape(segment)
        judged = redact_path_segment(unescaped)
        if judged != unescaped:
            return judged
    return _redact_matrix_parameters(segment)



def _redact_matrix_parameters(segment: str) -> str:
    """`cart;jsessionid=A1B2;v=2` -> `cart;jsessionid={token};v=2` (RFC 3986 path parameters)."""
    head, *parameters = segment.split(";")
    kept = [redact_path_segment(head)]
    for parameter in parameters:
        name, is_pair, value = parameter.partition("=")
        if is_pair and value and is_secret_key(name):
            kept.append(f"{name}={{token}}")
        else:
            kept.append(redact_path_segment(parameter) if parameter else parameter)
    return ";".join(kept)


def _encode_controls(segment: str) -> str:
    """Control, bidi and separator characters percent-encoded: shown, but inert."""
    neutral = neutralise(segment, keep_breaks=False)
    if neutral == segment:
        return segment
    return "".join(quote(char, safe="") if new != char else char for char, new in zip(segment, neutral))


@lru_cache(maxsize=65536)
def redact_path(path: str) -> str:
    """Apply `redact_path_segment` to every segment of a URL path (no query string expected)."""
    return "/".join(redact_path_segment(segment) for segment in path.split("/"))


@lru_cache(maxsize=4096)
def redact_file_path(path: str) -> str:
    """A file or folder path as shown: each name judged as a path segment, then as free text.

    A folder named after an email, or a log file named after a token, is shown with a placeholder.
    """
    shown = []
    for name in path.split("/"):
        judged = redact_path_segment(name) if name else name
        shown.append(judged if judged != name else redact(neutralise(name, keep_breaks=False)))
    return "/".join(shown)


@lru_cache(maxsize=4096)
def redact_pointer(pointer: str) -> str:
    """A JSON pointer whose tokens may be input keys (`/paths/~1reset~1{token}/get`), token by token."""
    tokens = []
    for token in pointer.split("/"):
        key = token.replace("~1", "/").replace("~0", "~")
        kept = redact_path(key) if "/" in key else redact_path_segment(key) if key else key
        tokens.append(kept.replace("~", "~0").replace("/", "~1"))
    return "/".join(tokens)


@lru_cache(maxsize=4096)
def redact_endpoint_key(key: str) -> str:
    """An endpoint as users write it (`GET /v2/claims/{id}`), its path redacted segment by segment."""
    method, space, path = key.partition(" ")
    if not space:
        return redact_path(key)
    return f"{redact_name(method)} {redact_path(path)}"



@lru_cache(maxsize=4096)
def redact_host(host: str) -> str:
    """A server's host name as kept: an IP address literal stays (it is the server's, and tells
    endpoints apart); a label that is a token becomes `{token}`; the rest is judged as an identifier."""
    if _is_ip(host):
        return host
    labels = [_HOST_TOKEN if _is_host_token(label) else label for label in host.split(".")]
    return redact_name(".".join(labels))


_HOST_TOKEN = "{token}"
_LONG_ATOM = re.compile(r"[A-Za-z0-9]{20,}")


def _is_host_token(label: str) -> bool:
    """A DNS label that is a token: hosts are lower-cased on the way (`urlsplit`), so case cannot
    tell a generated label from a word; 20+ letters and digits without a separator can."""
    return _is_token(label) or any(
        any(char.isdigit() for char in atom) and not atom.isdigit() for atom in _LONG_ATOM.findall(label)
    )
