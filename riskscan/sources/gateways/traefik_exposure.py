"""What a Traefik dynamic file shows beyond routing: how clients reach a router and the TLS versions
its options accept (where its service sends requests is `traefik_services`).

- Client transport: a router with `tls` serves HTTPS only. Without it, it serves its entry points as
  the static configuration sets them up: plain unless each has TLS by default (`http.tls`) or
  redirects to https; without the static configuration, not shown.
- TLS versions: each TLS option's `minVersion`; a router serving TLS under an option without one gets
  Traefik's default, which depends on the release (`tls_versions.TlsDefault.TRAEFIK`).
- Logging: access logs, metrics and tracing are switched on in the static configuration; a router (or
  an IngressRoute route) may switch them off for itself with `observability` (v3.1+).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from riskscan.model import CipherSetting, ClientTransport, Evidence, PluginRef, TlsSetting
from riskscan.sources.gateways.tls_ciphers import cipher_setting
from riskscan.sources.gateways.tls_versions import TlsDefault, default_setting, tls_setting
from riskscan.sources.gateways.traefik_middlewares import local_name
from riskscan.sources.gateways.traefik_static import StaticConfig
from riskscan.sources.structured import escape_pointer_token

__all__ = [
    "Logging", "cipher_settings", "client_transport", "option_ciphers", "router_logging", "tls_settings",
]

Evidencer = Callable[[str, str], Evidence]
"""(pointer, excerpt) -> Evidence in the file being read."""
Logging = tuple[tuple[str, ...] | None, tuple[str, ...], tuple[PluginRef, ...]]
"""Loggers (None: not shown), monitors, and the references that show them."""


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
            path=static.shown, pointer=static.place or "/entryPoints", line=static.line,
            note="entry points with TLS or an https redirect"))
    shown = evidence(pointer, f"no tls; entryPoints {', '.join(plain)} plain")
    note = {"note": "plain HTTP entry point"}
    return ClientTransport(is_plain=True, evidence=shown.model_copy(update=note))


def router_logging(router: Mapping[str, Any], entry_points: list[str],
                   static: StaticConfig | None) -> Logging:
    """Loggers (None: not shown), monitors and their refs, from the static configuration if one was
    found, narrowed by the router's own `observability` switches (v3.1+)."""
    observability = _mapping(router.get("observability"))
    if observability.get("accessLogs") is False:
        return (), (), ()
    if static is None:
        return None, (), ()
    monitors = tuple(name for name in static.monitors if observability.get(name) is not False)
    refs = tuple(PluginRef(name=name, attached_to="static configuration",
                           evidence=Evidence(path=static.shown, pointer=static.place or f"/{name}",
                                             line=static.line))
                 for name in (("accessLog",) if static.has_access_log else ()) + monitors)
    is_opted_out = bool(entry_points) and set(entry_points) <= static.unlogged_entry_points
    if not static.has_access_log or is_opted_out:
        return (), monitors, refs[1:] if static.has_access_log else refs
    return ("accessLog",), monitors, refs


def tls_settings(data: Mapping[str, Any], evidence: Evidencer) -> tuple[TlsSetting, ...]:
    """The `minVersion` of each TLS option the file defines, and Traefik's default for the routers
    serving TLS under an option that sets none."""
    settings = []
    options = _mapping(_mapping(data.get("tls")).get("options"))
    for name, option in options.items():
        minimum = _mapping(option).get("minVersion")
        if not isinstance(minimum, str):
            continue
        pointer = f"/tls/options/{escape_pointer_token(str(name))}/minVersion"
        setting = tls_setting([minimum], evidence(pointer, f"minVersion: {minimum}"))
        settings += [setting] if setting is not None else []
    return tuple(settings) + _default_settings(data, options, evidence)


def cipher_settings(data: Mapping[str, Any], evidence: Evidencer,
                    warn: Callable[[str], None]) -> tuple[CipherSetting, ...]:
    """The `cipherSuites` and `maxVersion` of each TLS option the file defines (Go's default suites,
    where an option lists none, are not judged)."""
    found = []
    for name, option in _mapping(_mapping(data.get("tls")).get("options")).items():
        pointer = f"/tls/options/{escape_pointer_token(str(name))}"
        setting = option_ciphers(_mapping(option), lambda key, excerpt: evidence(f"{pointer}/{key}", excerpt),
                                 warn)
        found += [setting] if setting is not None else []
    return tuple(found)


def option_ciphers(option: Mapping[str, Any], evidence: Evidencer,
                   warn: Callable[[str], None]) -> CipherSetting | None:
    """One TLS option's (file provider or TLSOption `spec`) suites and maximum; `evidence(key, excerpt)`
    places it at `cipherSuites`, else `maxVersion`. None when it sets neither."""
    suites = option.get("cipherSuites")
    suites = suites if isinstance(suites, list) else []
    maximum = option.get("maxVersion")
    top = maximum if isinstance(maximum, str) else None
    if suites:
        shown = evidence("cipherSuites", f"cipherSuites: {len(suites)} suites"
                                         + (f", maxVersion: {top}" if top else ""))
    else:
        shown = evidence("maxVersion", f"maxVersion: {top}")
    return cipher_setting(suites, shown.model_copy(update={"note": "cipher suites and maximum TLS version"}),
                          maximum=top, warn=warn) if suites or top else None


def _default_settings(data: Mapping[str, Any], options: Mapping[str, Any],
                      evidence: Evidencer) -> tuple[TlsSetting, ...]:
    """One default per TLS option left without `minVersion` (`default` when a router names none),
    shown at the first router serving TLS under it. An option this file does not define is another
    file's: not judged here."""
    found: dict[str, TlsSetting] = {}
    for name, router in _mapping(_mapping(data.get("http")).get("routers")).items():
        tls = _mapping(router).get("tls")
        if tls is None or tls is False:
            continue
        named = _mapping(tls).get("options")
        option = (local_name(named) if isinstance(named, str) else None) or "default"
        declared = option in options
        if option in found or (declared and "minVersion" in _mapping(options[option])):
            continue
        if not declared and option != "default":
            continue
        pointer = "/http/routers/" + escape_pointer_token(str(name)) + "/tls"
        shown = evidence(pointer, f"tls (option {option}, no minVersion)")
        note = {"note": "TLS served; no minVersion: Traefik's default applies"}
        found[option] = default_setting(TlsDefault.TRAEFIK, shown.model_copy(update=note))
    return tuple(found.values())


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}
