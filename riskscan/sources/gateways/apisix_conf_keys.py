"""Admin keys and other credentials in APISIX's config.yaml, by place: the value is judged, never kept.

APISIX 2.x and 3.0 shipped config-default.yaml with two fixed Admin API keys (an `admin` role and a
`viewer` role); the APISIX security advisory CVE-2020-13945 describes attackers using the default
token. A config.yaml still holding either accepts a key every attacker knows. Any other literal key,
the etcd password, an inline private key or a URL with a credential is a credential written in clear
(the shared `secret_walk` walk); `${{VAR}}` and `$env://` references are none.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from riskscan.sources.gateways.secret_walk import credential_places
from riskscan.sources.gateways.url_credentials import is_reference, url_credential
from riskscan.sources.structured import MAX_DEPTH

__all__ = ["admin_base", "clear_secret_places", "default_key_places", "is_default_key"]

# SHA-256 of the admin and viewer keys of APISIX 2.x / 3.0 config-default.yaml (compared by digest so
# that no key, however public, is written in riskscan's source).
_DEFAULT_KEY_DIGESTS = frozenset({
    "477a2767fa27931db11a3581100a4124b5720f6b6468ddd64062170cec157185",
    "228ab1b6080ec4178302ba76f9fa4af4f2dc14fc105a364b324bdb9045af03a1",
})
_SECRET_FIELDS = frozenset({"password", "secret", "secret_key", "token", "access_key_secret"})


def admin_base(root: Mapping[str, Any]) -> str:
    """Where the Admin API settings live: `deployment.admin` (3.0 on), else `apisix` (2.x)."""
    deployment = root.get("deployment")
    if isinstance(deployment, Mapping) and isinstance(deployment.get("admin"), Mapping):
        return "/deployment/admin"
    return "/apisix"


def is_default_key(value: str) -> bool:
    """True for one of the fixed keys APISIX 2.x and 3.0 shipped."""
    return hashlib.sha256(value.strip().encode()).hexdigest() in _DEFAULT_KEY_DIGESTS


def default_key_places(root: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(JSON pointer, what it is) of each admin key that is a well-known default."""
    base = admin_base(root)
    node: Any = root
    for key in base.strip("/").split("/"):
        node = node.get(key) if isinstance(node, Mapping) else None
    keys = node.get("admin_key") if isinstance(node, Mapping) else None
    found = []
    for index, entry in enumerate(keys if isinstance(keys, list) else []):
        value = entry.get("key") if isinstance(entry, Mapping) else None
        if isinstance(value, str) and is_default_key(value):
            role = entry.get("role") if isinstance(entry.get("role"), str) else "admin"
            found.append((f"{base}/admin_key/{index}/key", f"admin_key {index} ({role} role) is the "
                          "well-known default key of APISIX 2.x and 3.0"))
    return found


def clear_secret_places(root: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(JSON pointer, what it is) of every credential written in clear, default admin keys left to
    `default_key_places`."""
    return credential_places(root, _credential, MAX_DEPTH)


def _credential(name: str, value: object, owner: str) -> str | None:
    if isinstance(value, list):  # etcd `host` lists URLs, which may carry user:password@
        found = [what for item in value[:64] if isinstance(item, str) and (what := url_credential(item))]
        return f"{name}: {found[0]}" if found else None
    if not isinstance(value, str) or not value.strip() or is_reference(value):
        return None
    lowered = name.lower()
    if lowered == "key" and owner == "admin_key":
        return None if is_default_key(value) else "Admin API key"
    if lowered in _SECRET_FIELDS:
        return f"{owner} {lowered}".strip() if owner else lowered
    if lowered == "key" and "-----BEGIN" in value:
        return f"{owner} private key (inline)".strip()
    return url_credential(value)
