"""What a Kong configuration shows beyond routing: credentials written in clear, where each service
sends requests, and the `cors` plugin's policy.

- Credentials: plugin settings named like secrets (`client_secret`, `password`, `secret` ...),
  consumer credentials (`keyauth_credentials[].key`, `basicauth_credentials[].password`,
  `jwt_secrets[].secret`, `hmacauth_credentials[].secret`, `oauth2_credentials[].client_secret`),
  certificates' inline private keys, credential headers written with a literal value (http-log's
  `headers` map, request-transformer's `add.headers: ["Authorization:Bearer ..."]`), and credentials in
  URLs (`http://user:pass@host`, an http-log `http_endpoint` with `?token=`: `url_credentials`). A Kong vault
  reference (`{vault://env/name}`) or decK's environment substitution (`${{ env "DECK_NAME" }}`) is
  not a credential in clear. Only the place is kept (JSON pointer, and the line from it), never the
  value.
- Upstreams: a service's `url` (or `protocol`/`host`/`port`) names either a Kong upstream, whose
  `targets` are the nodes and whose `healthchecks` (active or passive) take dead ones out, or a plain
  host (one node). Kong speaks the service's protocol (`http` by default) and waits 60 seconds unless
  `connect_timeout`/`read_timeout`/`write_timeout` are set.
- CORS: the `cors` plugin allows any origin when `config.origins` is unset, empty or holds `*`; with
  `config.credentials` true Kong then reflects the caller's origin with credentials allowed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

from riskscan.model import CorsPolicy, Evidence, Upstream
from riskscan.sources.gateways.kong_entities import Located
from riskscan.sources.gateways.url_credentials import is_credential_header, url_credential

__all__ = ["clear_secret_pointers", "cors_policy", "service_host", "upstream_detail"]

_SECRET_FIELDS = frozenset({
    "client_secret", "secret", "secret_key", "password", "passwd", "private_key", "api_key", "apikey",
    "access_key", "token", "access_token", "auth_token", "session_secret", "sasl_password",
})
# `key` is a credential only under these (a rate-limiting plugin's `key` names what it counts by).
# (jwt_secrets[].key is the token's `iss`, not a secret.)
_KEY_OWNERS = frozenset({"keyauth_credentials", "certificates"})
_REFERENCE = re.compile(r"^\s*(\{vault://[^}]+\}|\$\{\{\s*env\s+\"[A-Za-z_][A-Za-z0-9_]*\"\s*\}\})\s*$")
_TIMEOUTS = ("connect_timeout", "read_timeout", "write_timeout")
_MAX_SECRETS = 200


def clear_secret_pointers(root: Mapping[str, Any] | list[Any], pointer: str = "",
                          owner: str | None = None) -> list[tuple[str, str]]:
    """(JSON pointer, what it is) of every credential written in clear, in document order.

    `pointer` and `owner` place a node found elsewhere than a decK file's top: an Admin API export's
    `/data/3` entry of key-auth credentials is walked with the decK list it matches as its owner
    (`keyauth_credentials`), so the same rules apply to both forms.
    """
    return list(_walk(root, pointer, owner))[:_MAX_SECRETS]


def upstream_detail(service: Located, upstream: Located | None) -> Upstream:
    """Where the service sends requests: its upstream's targets, or its own host as the one node."""
    data = service.data
    scheme, host = _scheme_and_host(data)
    if upstream is not None:
        targets = upstream.data.get("targets")
        listed = targets if isinstance(targets, list) else []
        hosts = [_target_host(str(target["target"])) for target in listed
                 if isinstance(target, dict) and isinstance(target.get("target"), str)]
        checks = upstream.data.get("healthchecks")
        has_checks = isinstance(checks, dict) and any(_is_on(checks.get(kind))
                                                      for kind in ("active", "passive"))
        evidence = upstream.evidence("upstream targets")
    else:
        hosts, has_checks, evidence = ([host] if host else []), False, service.evidence("service host")
    retries = data.get("retries")
    return Upstream(
        hosts=tuple(dict.fromkeys(hosts)), nodes=len(hosts), scheme=scheme, default_scheme="http",
        has_health_checks=has_checks, has_timeouts=any(data.get(name) is not None for name in _TIMEOUTS),
        has_retries=isinstance(retries, int) and not isinstance(retries, bool) and retries > 0,
        evidence=evidence,
    )


def service_host(service: Mapping[str, Any]) -> str | None:
    """The host a service names (in its `url`, else `host`): an upstream's name or a node."""
    return _scheme_and_host(service)[1]


def cors_policy(conf: Mapping[str, Any], evidence: Evidence) -> CorsPolicy:
    """The `cors` plugin's policy with Kong's defaults (any origin, no credentials)."""
    origins = conf.get("origins")
    listed = [origin for origin in origins if isinstance(origin, str)] if isinstance(origins, list) else []
    return CorsPolicy(allows_any_origin=not listed or "*" in listed,
                      allows_credentials=conf.get("credentials") is True, evidence=evidence)


def _walk(node: Any, pointer: str, owner: str | None) -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            name = str(key)
            child = f"{pointer}/{name.replace('~', '~0').replace('/', '~1')}"
            if isinstance(value, str) and _is_credential(name, owner) and _is_literal(value):
                yield child, name
            elif isinstance(value, str) and owner == "headers" and is_credential_header(name) \
                    and _is_literal(value):
                yield child, f"{name.lower()} header"
            elif isinstance(value, str) and (what := url_credential(value)) is not None:
                yield child, what
            elif isinstance(value, (dict, list)):
                yield from _walk(value, child, name)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            # openid-connect lists its client secrets: `client_secret: [...]`
            if isinstance(value, str) and owner is not None and owner.lower() in _SECRET_FIELDS \
                    and _is_literal(value):
                yield f"{pointer}/{index}", owner
            elif isinstance(value, str) and owner == "headers" and _is_header_line(value):
                yield f"{pointer}/{index}", f"{value.partition(':')[0].strip().lower()} header"
            else:
                yield from _walk(value, f"{pointer}/{index}", owner)


def _is_credential(name: str, owner: str | None) -> bool:
    lowered = name.lower()
    return lowered in _SECRET_FIELDS or (lowered in ("key", "key_alt") and owner in _KEY_OWNERS)


def _is_literal(value: str) -> bool:
    return bool(value.strip()) and not _REFERENCE.match(value)


def _is_header_line(line: str) -> bool:
    """A transformer's `Name:value` entry setting a credential header to a literal (not `$(headers.x)`)."""
    name, has_colon, value = line.partition(":")
    value = value.strip()
    is_literal = _is_literal(value) and not value.startswith("$(")
    return bool(has_colon) and is_credential_header(name) and is_literal


def _scheme_and_host(data: Mapping[str, Any]) -> tuple[str | None, str | None]:
    url = data.get("url")
    if isinstance(url, str):
        try:
            parts = urlsplit(url)
        except ValueError:
            return None, None
        return (parts.scheme.lower() or None), parts.hostname
    protocol, host = data.get("protocol"), data.get("host")
    return (protocol.lower() if isinstance(protocol, str) else None,
            str(host).rpartition("@")[2] if isinstance(host, str) else None)


def _target_host(target: str) -> str:
    """`user@10.0.0.1:8080` -> `10.0.0.1`; `[2001:db8::1]:443` -> `2001:db8::1`."""
    address = target.rpartition("@")[2]
    if address.startswith("["):
        return address[1:].partition("]")[0]
    return address.rpartition(":")[0] if address.count(":") == 1 else address


def _is_on(settings: object) -> bool:
    """A health checker that runs: active probes with an interval, or passive counters set."""
    if not isinstance(settings, dict):
        return False
    healthy, unhealthy = settings.get("healthy"), settings.get("unhealthy")
    values = [v for part in (healthy, unhealthy) if isinstance(part, dict) for v in part.values()]
    return any(isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0 for v in values)
