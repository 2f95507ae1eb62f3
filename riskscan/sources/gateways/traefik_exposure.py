"""What a Traefik dynamic file shows beyond routing: how clients reach a router and the TLS versions
its options accept (where its service sends requests is `traefik_services`).

- Client transport: a router with `tls` serves HTTPS only. Without it, it serves its entry points as
  the static configuration sets them up: plain unless each has TLS by default (`http.tls`) or
  redirects to https; without the static configuration, not shown.
- TLS versions: each TLS option's `minVersion` (unset: Traefik's default, TLS 1.2).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from riskscan.model import ClientTransport, Evidence, TlsSetting
from riskscan.sources.gateways.tls_versions import tls_setting
from riskscan.sources.gateways.traefik_static import StaticConfig
from riskscan.sources.structured import escape_pointer_token

__all__ = ["client_transport", "tls_settings"]

Evidencer = Callable[[str, str], Evidence]
"""(pointer, excerpt) -> Evidence in the file being read."""


def client_transport(name: str, router: Mapping[str, Any], entry_points: list[str],
                     static: StaticConfig | None, evidence: Evidencer) -> ClientTransport | None:
    """Whether the router serves plain HTTP, and what shows it; None without the static config."""
    pointer = "/http/routers/" + escape_pointer_token(name)
    if router.get("tls") not in (None, False):
        return ClientTransport(is_plain=False, evidence=evidence(f"{pointer}/tls", "tls"))
    if static is None:
        return None
    names = set(entry_points) or set(static.entry_points)
    plain = sorted(names - static.secure_entry_points)
    if not plain:
        return ClientTransport(is_plain=False, evidence=Evidence(
            path=static.shown, pointer="/entryPoints", note="entry points with TLS or an https redirect"))
    shown = evidence(pointer, f"no tls; entryPoints {', '.join(plain)} plain")
    note = {"note": "plain HTTP entry point"}
    return ClientTransport(is_plain=True, evidence=shown.model_copy(update=note))


def tls_settings(data: Mapping[str, Any], evidence: Evidencer) -> tuple[TlsSetting, ...]:
    """The `minVersion` of each TLS option the file defines."""
    settings = []
    for name, option in _mapping(_mapping(data.get("tls")).get("options")).items():
        minimum = _mapping(option).get("minVersion")
        if not isinstance(minimum, str):
            continue
        pointer = f"/tls/options/{escape_pointer_token(str(name))}/minVersion"
        setting = tls_setting([minimum], evidence(pointer, f"minVersion: {minimum}"))
        settings += [setting] if setting is not None else []
    return tuple(settings)


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}
