"""Whether a URL written in a gateway config carries a credential: every reader asks here.

A logger, tracer, metrics exporter or auth service is often configured with a URL that holds its
credential: userinfo (`https://user:pass@logs.example`, `https://TOKEN@sentry.example/1`) or a
credential-named query key (`?token=`, `?api_key=`, `?sig=`). Such a URL is a credential in clear,
copied into every backup and log of the config. The answer names what kind of credential it is
(`password in a URL`, `token in a URL query`), never the value: nothing of the URL is kept.

A value that is a reference rather than a literal (`${VAR}`, `{{ env "X" }}`, `$env://X`,
`{vault://...}`, an nginx `$variable`, an Envoy `%ENVIRONMENT(X)%`) is not a credential in clear.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

__all__ = ["URL_SECRET_KEYS", "holds_interpolation", "is_credential_header", "is_reference", "url_credential"]

URL_SECRET_KEYS = frozenset({
    "api_key", "apikey", "api-key", "access_token", "accesstoken", "token", "id_token", "refresh_token",
    "client_secret", "secret", "password", "passwd", "pwd", "key", "auth", "authorization", "sig",
    "signature", "x-api-key", "private_token", "auth_token",
})
"""Query keys that carry a credential: the catalogue's `url_secret_keys` and a few service-specific ones
(`x-api-key`, GitLab's `private_token`, `auth_token`); a test keeps the two lists aligned."""

_URL = re.compile(r"^\s*[A-Za-z][A-Za-z0-9+.-]{0,20}://")
_REFERENCE = re.compile(
    r"^\s*(\$\{\{?\s*[^}]+\}?\}|\{\{[^}]*\}\}|\$env://|\$secret://|\{vault://[^}]+\}|\$[A-Za-z_]"
    r"|%[A-Z_]+\([^)]*\)%|<[A-Za-z_]+>)"
)
# `${VAR}`, `${VAR:-default}`, `$VAR` (Compose, the shell) or `$(VAR)` (Kubernetes) anywhere; `$$` is a dollar.
_INTERPOLATION = re.compile(r"(?<!\$)\$(?:\{|\(|[A-Za-z_])")
_HEADER_WORDS = ("authorization", "api-key", "apikey", "api_key", "token", "secret", "password", "x-auth")
_HTTP_SCHEMES = frozenset({"http", "https", "ws", "wss"})
_MAX_URL = 8192


def is_reference(value: str) -> bool:
    """True for a value taken from elsewhere (environment, template, vault, variable), not written out."""
    return _REFERENCE.match(value) is not None


def holds_interpolation(value: str) -> bool:
    """True for an environment variable's value that another variable fills, anywhere in it (`${PORT}`,
    `:$PORT`, `$(PORT)`), as Compose and Kubernetes expand them when the container starts: its value
    is not in the file."""
    return _INTERPOLATION.search(value) is not None


def is_credential_header(name: str) -> bool:
    """True for a header name that carries a credential (`Authorization`, `X-Api-Key`, `X-Auth-Token`,
    `DD-API-KEY`), so a literal value written for it is a credential in clear."""
    lowered = name.strip().lower()
    return any(word in lowered for word in _HEADER_WORDS) and not lowered.startswith("access-control-")


def url_credential(value: str) -> str | None:
    """What credential the URL carries (`password in a URL`, `<key> in a URL query`), or None.

    None for anything that is not a URL, and for credentials given as references (`${PASS}`).
    """
    if len(value) > _MAX_URL or _URL.match(value) is None:
        return None
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return None
    userinfo = parts.netloc.rpartition("@")[0] if "@" in parts.netloc else ""
    if userinfo:
        user, has_password, password = userinfo.partition(":")
        if has_password and password and not is_reference(password):
            return "password in a URL"
        if not has_password and user and not is_reference(user) and parts.scheme.lower() in _HTTP_SCHEMES:
            return "credential in a URL's user name"
    for key, item in parse_qsl(parts.query, keep_blank_values=False):
        if key.lower() in URL_SECRET_KEYS and item.strip() and not is_reference(item):
            return f"{key.lower()} in a URL query"
    return None
