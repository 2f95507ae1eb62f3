"""What an APISIX standalone file shows beyond authentication, limits and logging: upstream nodes,
schemes and resilience settings, CORS policies, and credentials written in clear.

- An upstream's `scheme` defaults to `http` (APISIX speaks plain HTTP to nodes unless told); `checks`
  (active or passive health checks), `timeout` and `retries` are its resilience settings.
- The `cors` plugin's `allow_origins` defaults to `*`; `**` reflects any request's origin (the only
  way APISIX allows any origin with `allow_credential: true`); `allow_origins_by_regex` narrows it.
- A credential field (`client_secret`, `password`, `secret`, `private_key`, a key-auth or SSL `key`
  ...) written as a literal rather than an environment or secret-manager reference (`$env://`,
  `$secret://`, `${{VAR}}`, `${VAR}`) is recorded by its place only: file, line and JSON pointer.
  So are a logger's `auth_header`, a credential header in a `headers` map (loki-logger,
  opentelemetry's `collector.request_headers`, proxy-rewrite's `headers.set` towards the upstream),
  and any URL carrying a credential (`url_credentials`: an http-logger `uri` with userinfo or
  `?token=`). The value is never read into the model.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from riskscan.model import CorsPolicy, Evidence, Upstream
from riskscan.sources.gateways.secret_walk import credential_places
from riskscan.sources.gateways.url_credentials import is_credential_header, url_credential
from riskscan.sources.structured import MAX_DEPTH

__all__ = ["clear_secret_pointers", "cors_policy", "upstream_detail"]

EvidenceMaker = Callable[[str, str | None, str | None], Evidence]
"""(pointer, excerpt, note) -> Evidence in the file being read."""

_SECRET_FIELDS = frozenset({
    "client_secret", "secret", "secret_key", "password", "passwd", "private_key", "api_key", "apikey",
    "access_key", "token", "access_token", "auth_token", "sasl_password", "pass", "auth_header",
})
# Header maps: a logger's `headers`, opentelemetry's `request_headers`, proxy-rewrite's `headers.set`/`add`.
_HEADER_MAPS = frozenset({"headers", "request_headers", "custom_headers", "set", "add"})
# `key` is a credential only where the owner is one of these (a limit-count `key` names a variable).
_KEY_OWNERS = frozenset({"key-auth", "ssls", "jwt-auth", "hmac-auth"})
# $env://NAME, $secret://vault/path, ${{NAME}} (APISIX), ${NAME} and $NAME (shell-style templating)
_REFERENCE = re.compile(
    r"^\s*(\$env://|\$secret://|\$\{\{?[A-Za-z_][A-Za-z0-9_]*\}?\}|\$[A-Za-z_][A-Za-z0-9_]*$)"
)


def upstream_detail(upstream: Mapping[str, Any], evidence: Evidence) -> Upstream:
    """The nodes (hosts only), scheme and resilience settings of one upstream object."""
    hosts: list[str] = []
    nodes = upstream.get("nodes")
    if isinstance(nodes, dict):
        hosts = [_host(str(address)) for address in nodes]
    elif isinstance(nodes, list):
        hosts = [_host(str(node["host"])) for node in nodes if isinstance(node, dict) and node.get("host")]
    scheme = upstream.get("scheme")
    return Upstream(
        hosts=tuple(dict.fromkeys(hosts)),
        nodes=len(hosts),
        scheme=scheme.lower() if isinstance(scheme, str) else None,
        has_health_checks=isinstance(upstream.get("checks"), dict) and bool(upstream["checks"]),
        has_timeouts=isinstance(upstream.get("timeout"), dict) and bool(upstream["timeout"]),
        has_retries=isinstance(upstream.get("retries"), int) and upstream["retries"] > 0,
        evidence=evidence,
    )


def cors_policy(conf: Mapping[str, Any], evidence: Evidence) -> CorsPolicy:
    """The `cors` plugin's policy, with APISIX's defaults (any origin, no credentials)."""
    origins = conf.get("allow_origins", "*")
    by_regex = conf.get("allow_origins_by_regex")
    by_metadata = conf.get("allow_origins_by_metadata")
    narrowed = bool(by_regex) or bool(by_metadata)
    any_origin = isinstance(origins, str) and origins.strip() in ("*", "**") and not narrowed
    return CorsPolicy(
        allows_any_origin=any_origin,
        allows_credentials=conf.get("allow_credential") is True,
        evidence=evidence,
    )


def clear_secret_pointers(root: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(JSON pointer, field name) of every credential written in clear, in document order."""
    return credential_places(root, _credential, MAX_DEPTH)


def _credential(name: str, value: object, owner: str) -> str | None:
    """What a field holds in clear: a credential field, a credential header, a URL with a credential."""
    if not isinstance(value, str):
        return None
    if _is_credential(name, owner) and _is_literal(value):
        return name
    if owner in _HEADER_MAPS and is_credential_header(name) and _is_literal(value):
        return f"{name.lower()} header"
    return url_credential(value)


def _is_credential(name: str, owner: str) -> bool:
    lowered = name.lower()
    return lowered in _SECRET_FIELDS or (lowered == "key" and owner in _KEY_OWNERS)


def _is_literal(value: str) -> bool:
    """A written-out value, not empty and not a reference to the environment or a secret manager."""
    return bool(value.strip()) and not _REFERENCE.match(value)


def _host(address: str) -> str:
    """`user:pw@host:8443` -> `host`; `[2001:db8::1]:443` -> `2001:db8::1`."""
    address = address.rpartition("@")[2]
    if address.startswith("["):
        return address[1:].partition("]")[0]
    return address.rpartition(":")[0] if address.count(":") == 1 else address
