"""Redaction of free text: titles, descriptions, excerpts, messages, warnings.

Rules run in order, the most specific first, so that a JWT is not half-eaten by the token rule and a
`password: "..."` pair keeps its name. Every rule leaves `[REDACTED ...]` markers that no rule matches
again, so redacting twice gives what redacting once gave.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from functools import lru_cache

from riskscan.redaction.checks import (
    CHARACTER_REFERENCE,
    ENCODED,
    fully_decoded,
    has_random_atom,
    is_random,
    neutralise,
    passes_iban,
)

__all__ = ["REDACTED", "is_secret_key", "redact", "redact_name"]

REDACTED = "[REDACTED]"

_SECRET_KEY_WORDS = (
    "password", "passwd", "pwd", "secret", "token", "apikey", "api_key", "api-key", "access_key",
    "accesskey", "private_key", "privatekey", "credential", "auth", "cookie", "session", "signature",
    "admin_key", "key", "cert", "ssn", "card",
)  # fmt: skip
# Key names that contain a secret word but hold no secret: safe to keep.
_NOT_SECRET_KEYS = frozenset(
    {
        "key_type", "key_claim_name", "header", "query", "hide_credentials", "bearer_only",
        "token_endpoint", "authorization_endpoint", "token_url", "tokenurl", "authorizationurl",
        "refreshurl", "token_signing_alg_values_expected", "introspection_endpoint",
        "introspection_endpoint_auth_method", "token_endpoint_auth_method", "auth_method", "keys",
        "key_name", "ssl_verify",
    }
)  # fmt: skip


def is_secret_key(name: str) -> bool:
    """True when a configuration key's value may be a credential and must not be kept.

    Errs on the side of dropping: `key`, `client_secret`, `admin_key`, `password`, `Cookie` ... are
    all secret; a few well-known structural keys (`key_type`, `bearer_only`) are not.
    """
    lowered = name.strip().lower()
    if lowered in _NOT_SECRET_KEYS:
        return False
    return any(word in lowered for word in _SECRET_KEY_WORDS)


# A name ending in a secret word, or going on after a separator (`client_secret_value`), but not a
# longer word (`authentication: a caller ...`, `tokens: a` are prose).
_SECRET_NAME = (
    r"[\w.-]*(?:password|passwd|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|session|sessionid|sid|"
    r"cookie|auth|authorization|signature|sig|key|code)(?:[_.-][\w.-]*)?(?![\w])"
)
# Names start where a run of name characters starts, not at every `.` or `-` in it: tried from every
# word boundary, `a-a-a-...` costs time quadratic in its length (minutes for a 100 kB value).
_RUN_START = r"(?<![\w.-])"
# A file of a kind riskscan reads, or the last name of a path, before a colon: riskscan's own messages
# (`db-secret.yaml: refused YAML`, `/srv/secret-store: nothing could be read`).
_FILE_NAME = (
    r"[\w.-]*\.(?:ya?ml|json|jsonl|ndjson|har|log|conf|toml|graphqls?|gql|txt|csv|env|gz|zst)\s*:"
    r"|(?<=/)[\w.-]+:\s"
)
# A value already redacted (or a placeholder) is left alone, so that rules never feed on their output.
_NOT_DONE = r"(?!\[REDACTED|\{[A-Za-z0-9_]+\}|=)"

Rule = tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]

# Rules on `name = value` pairs: left out for identifiers such as the scope `session:write`.
_PAIR_RULES: tuple[Rule, ...] = (
    # Cookie headers: every cookie in them, whatever its name.
    (re.compile(r"(?im)\b((?:set-)?cookie)(\s*:\s*)" + _NOT_DONE + r"[^\r\n]+"), r"\1\2[REDACTED]"),
    # JSON- and Python-quoted keys: {"password": "x y"}, 'api_key': 'x', "token": 123.
    (
        re.compile(
            r"(?i)([\"'])(" + _SECRET_NAME + r")\1(\s*[:=]\s*)([\"'])" + _NOT_DONE + r"(?:\\.|(?!\4).)*\4"
        ),
        r"\1\2\1\3\4[REDACTED]\4",
    ),
    (
        re.compile(r"(?i)([\"'])(" + _SECRET_NAME + r")\1(\s*[:=]\s*)" + _NOT_DONE + r"[^\s\"',}\]]+"),
        r"\1\2\1\3[REDACTED]",
    ),
    (
        # Not a file name, nor a line number after one (`db-secret.yaml: problem`, `x-auth.yaml:8: problem`):
        # riskscan's own messages name the file before the problem.
        re.compile(
            rf"(?i){_RUN_START}(?!{_FILE_NAME})({_SECRET_NAME})(\s*[=:]\s*[\"']?){_NOT_DONE}"
            r"(?!\d{1,9}:\s)[^\s\"'&;,}]+"
        ),
        r"\1\2[REDACTED]",
    ),
)

_KNOWN_TOKEN = (
    r"\b(?:xox[abposr]-[A-Za-z0-9-]{10,}|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|"
    r"glpat-[A-Za-z0-9_-]{16,}|AIza[A-Za-z0-9_-]{30,}|sk-(?:proj-)?[A-Za-z0-9_-]{20,}|"
    r"(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{8,}|(?:AKIA|ASIA)[A-Z0-9]{16})"
)
_OPENING_RULES: tuple[Rule, ...] = (
    (
        re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(?:-----END [A-Z ]*PRIVATE KEY-----|\Z)", re.DOTALL),
        "[REDACTED PRIVATE KEY]",
    ),
    (re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"), "[REDACTED JWT]"),
    (re.compile(_KNOWN_TOKEN), "[REDACTED KEY]"),
    (
        # The credential after a scheme word; an ordinary word after it (`bearer tokens`) is prose.
        re.compile(
            r"(?i)\b(bearer|basic|digest|token|apikey|api-key)(\s+)(?![A-Z]?[a-z]+s?\b)[A-Za-z0-9._~+/=-]{6,}"
        ),
        r"\1\2[REDACTED]",
    ),
    # URL userinfo, with or without a user name: https://u:pw@host, redis://:pw@host, https://tok@host.
    (re.compile(r"(://)" + _NOT_DONE + r"[^/\s@\[\]]+@"), r"\1[REDACTED]@"),
)


def _iban(match: re.Match[str]) -> str:
    """An IBAN candidate whose check digits hold; a trailing group that is a word is given back."""
    text = match[0]
    if passes_iban(text):
        return "[REDACTED IBAN]"
    head, space, tail = text.rpartition(" ")
    return f"[REDACTED IBAN]{space}{tail}" if space and passes_iban(head) else text


def _token_run(match: re.Match[str]) -> str:
    """A run of token characters: redacted whole when it is a generated secret, else piece by piece."""
    run = match[0]
    if _is_token(run):
        return "[REDACTED TOKEN]"
    if "/" not in run:
        return run
    return "/".join("[REDACTED TOKEN]" if _is_token(piece) else piece for piece in run.split("/"))


def _is_token(run: str) -> bool:
    alnum = re.sub(r"[^A-Za-z0-9]", "", run)
    if has_random_atom(run):
        return True
    if len(run) >= 20 and not run.startswith("/") and re.search(r"[+/]|=$", run) and is_random(alnum, 16):
        return True  # base64 with + / =
    return any(
        len(atom) >= 32 and sum(map(str.isdigit, atom)) >= 4 and sum(map(str.isalpha, atom)) >= 4
        for atom in re.split(r"[^A-Za-z0-9]+", run)
    )


_VALUE_RULES: tuple[Rule, ...] = (
    # From where a run of address characters starts: tried from each, a long run costs quadratic time.
    (re.compile(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"), "[REDACTED EMAIL]"),
    (re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b"), _iban),
    (re.compile(r"\b\d{3}-\d{2}-\d{4}\b"), "[REDACTED SSN]"),
    (re.compile(r"(?<![\w+])\+\d[\d .()-]{6,18}\d(?![\w])"), "[REDACTED PHONE]"),
    (re.compile(r"(?<![\w(])\(?\d{3}\)?[ .-]\d{3}[ .-]\d{4}(?![\w])"), "[REDACTED PHONE]"),
    (re.compile(r"\b(?:\d[ -]?){12,18}\d\b"), "[REDACTED NUMBER]"),
    (
        re.compile(r"\b(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}\b"),
        "[REDACTED IP]",
    ),
    (
        # IPv6: either compressed (`::`) or all eight groups, so that times like 13:55:36 survive.
        re.compile(
            r"(?i)(?<![\w:])(?=[0-9a-f:]*::|(?:[0-9a-f]{1,4}:){7})"
            r"[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}(?:%[\w.]+)?(?![\w:])"
        ),
        "[REDACTED IP]",
    ),
    (re.compile(r"(?<![\w+/-])[A-Za-z0-9+/_-]{16,}={0,2}"), _token_run),
)

# From a chunk's start only, so that a long chunk costs linear time.
_ENCODED_CHUNK = re.compile(r"(?<![^\s\"'<>])[^\s\"'<>]*(?:" + ENCODED.pattern + r")[^\s\"'<>]*")


def _apply(text: str, rules: tuple[Rule, ...]) -> str:
    for pattern, replacement in rules:
        text = pattern.sub(replacement, text)
    return text


def _redact_decoded(match: re.Match[str]) -> str:
    """An encoded chunk (`jane%40mail.com`, `Bearer%20abc`, `jane&#64;mail.com`) judged decoded: kept
    as it was unless its decoded form holds something to redact, then shown decoded and redacted."""
    chunk = match[0]
    decoded = neutralise(fully_decoded(chunk))
    redacted = _redact_plain(decoded)
    return chunk if redacted == decoded else redacted


def _redact_plain(text: str) -> str:
    """All rules, repeated until nothing changes: a marker can give a later rule a boundary it did
    not have (`1111+1 415 555 2671` is a phone only once the card before it is gone)."""
    for _ in range(4):
        redacted = _apply(_apply(_apply(text, _OPENING_RULES), _PAIR_RULES), _VALUE_RULES)
        if redacted == text:
            break
        text = redacted
    return text


@lru_cache(maxsize=65536)
def redact(text: str) -> str:
    """Replace credentials and personal data in free text with `[REDACTED ...]` markers.

    Covers private keys, JWTs, well-known key formats, `Authorization` values, cookie headers, URL
    userinfo, `name=value` and quoted-key pairs whose name suggests a secret, emails, IBANs, SSNs,
    phone and card-like numbers, IPv4/IPv6 addresses and generated tokens (base64 included), also
    when percent-encoded, HTML-escaped (`&#64;`) or backslash-escaped (`\\u0040`). Control, bidi and
    separator characters become U+FFFD. Idempotent.
    """
    text = neutralise(text)
    if ENCODED.search(text):
        text = _ENCODED_CHUNK.sub(_redact_decoded, text)
    if CHARACTER_REFERENCE.search(text):
        # HTML escapes whole documents, spaces and all (`{&quot;password&quot;: &quot;a b&quot;}`):
        # judged whole, and shown unescaped when that finds something.
        unescaped = neutralise(html.unescape(text))
        if _redact_plain(unescaped) != unescaped:
            text = unescaped
    return _redact_plain(text)



_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_.:/-]{0,119}")


@lru_cache(maxsize=65536)
def redact_name(name: str) -> str:
    """An identifier (operationId, scope, parameter, plugin or route name) as kept.

    A plain name is judged without the `name=value` rules, which would take the scope `session:write`
    for a secret; anything else is redacted like free text. Line breaks become U+FFFD too.
    """
    name = neutralise(name, keep_breaks=False)
    if _IDENTIFIER.fullmatch(name) and sum(map(str.isdigit, name)) <= 4:
        for _ in range(4):
            redacted = _apply(_apply(name, _OPENING_RULES), _VALUE_RULES)
            if redacted == name:
                break
            name = redacted
        return name
    return redact(name)
