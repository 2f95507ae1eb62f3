"""Credentials an Envoy file holds in clear, by place (JSON pointer): the values are never kept.

Envoy takes a credential from a data source (`DataSource`): `filename`, `environment_variable`, or the
value written in the file itself (`inline_string`, `inline_bytes`). Only the inline ones are in clear,
and only under a field that holds a credential:

- TLS certificates' `private_key` and its `password` (also in SDS `secrets` entries of the file);
- SDS `generic_secret.secret`, which holds the OAuth2 filter's `token_secret` and `hmac_secret` (the
  filter itself names an SDS secret, a reference);
- `session_ticket_keys.keys`, the keys that encrypt TLS session tickets;
- the basic-auth filter's `users` (htpasswd lines: hashes are still credentials).

`filename:`, `environment_variable:` and `sds_config` references are not clear secrets, nor are public
material (`certificate_chain`, `trusted_ca`, JWT `local_jwks`). Beyond data sources: a header written
with a credential-named key and a literal value (`initial_metadata` of an OpenTelemetry or ext_authz
gRPC service, `request_headers_to_add`) or matched by a route (`x-api-key` compared with a literal), and
any URL carrying a credential (`url_credentials`: an
OpenTelemetry or Zipkin collector URI with a token).
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice

from riskscan.sources.gateways.url_credentials import is_credential_header, is_reference, url_credential

__all__ = ["clear_secret_pointers"]

_SECRET_KEYS = frozenset({"private_key", "password", "generic_secret", "secret", "session_ticket_keys",
                          "keys", "users", "token_secret", "hmac_secret", "client_secret"})
_INLINE = frozenset({"inline_string", "inline_bytes"})
_MAX_SECRETS = 200
_MAX_DEPTH = 64


def clear_secret_pointers(root: object) -> list[tuple[str, str]]:
    """(JSON pointer, what it is) of every credential written in clear, in document order."""
    return list(islice(_walk(root, "", None, 0), _MAX_SECRETS))


def _walk(node: object, pointer: str, secret_field: str | None, depth: int) -> Iterator[tuple[str, str]]:
    """Inline data sources under a credential field, credential headers and credential URLs."""
    if depth > _MAX_DEPTH:
        return
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield from _walk(item, f"{pointer}/{index}", secret_field, depth + 1)
        return
    if not isinstance(node, dict):
        return
    header = _header_secret(node, pointer)
    if header is not None:
        yield header
    for key, value in node.items():
        name = str(key)
        child = f"{pointer}/{name.replace('~', '~0').replace('/', '~1')}"
        if name in _INLINE and secret_field is not None and _is_literal(value):
            yield child, f"{secret_field} written inline"
        elif isinstance(value, str):
            what = url_credential(value)
            if what is not None:
                yield child, what
        else:
            inner = name if name in _SECRET_KEYS else secret_field
            yield from _walk(value, child, inner, depth + 1)


def _header_secret(node: dict[object, object], pointer: str) -> tuple[str, str] | None:
    """A `{key: Authorization, value: "Bearer ..."}` header with its value written out, or a route's
    header matcher comparing a credential header with a literal (`{name: x-api-key, string_match:
    {exact: ...}}`): the key a client must send, written in the file."""
    key, value = node.get("key"), node.get("value")
    if isinstance(key, str) and isinstance(value, str) and is_credential_header(key) and _is_literal(value):
        return f"{pointer}/value", f"{key.lower()} header written in clear"
    name, match = node.get("name"), node.get("string_match")
    exact = match.get("exact") if isinstance(match, dict) else node.get("exact_match")
    if isinstance(name, str) and is_credential_header(name) and _is_literal(exact):
        where = "/string_match/exact" if isinstance(match, dict) else "/exact_match"
        return f"{pointer}{where}", f"{name.lower()} header value matched in clear"
    return None


def _is_literal(value: object) -> bool:
    return isinstance(value, (str, bytes)) and bool(value.strip()) and not (
        isinstance(value, str) and is_reference(value))
