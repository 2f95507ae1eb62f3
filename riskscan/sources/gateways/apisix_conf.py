"""Reader for APISIX's own runtime configuration, `conf/config.yaml`.

A route file (standalone apisix.yaml, Admin API exports) cannot show how APISIX itself runs; config.yaml
does, merged over config-default.yaml key by key (a list replaces the default's, `~` removes it):
- `apisix.ssl.ssl_protocols` (default `TLSv1.2 TLSv1.3`): the versions of every SSL object that names
  none, so it applies to every APISIX route file of the scan (`runtime_configs`); `apisix.ssl.enable:
  false` serves no TLS;
- the Admin API (`deployment.admin` from 3.0, `apisix.*` in 2.x): reachable from the network when it
  listens on a network address (`admin_listen.ip`, default `0.0.0.0`) and `allow_admin` admits every
  address (`0.0.0.0/0`, or set to `~`/`[]`; left out, the default `127.0.0.0/24` holds); nobody is
  asked for a key when `admin_key_required` is false; a well-known default key (`apisix_conf_keys`)
  opens it to anyone who reaches it. `apisix.enable_admin: false` and `deployment.role: data_plane`
  serve no Admin API;
- credentials in clear (admin keys, etcd passwords, inline keys, URLs with credentials) by place;
  `${{VAR}}` and `$env://` references are none;
- the client listeners, `apisix.node_listen` (plain HTTP, default 9080) and `apisix.ssl.listen` (TLS,
  default 9443), read by `apisix_transport` and applied to every APISIX route file of the scan: a route
  no `redirect` plugin covers is served over plain HTTP when a plain listener faces the network.
A setting written `${{VAR}}` takes its value from APISIX's environment, which no input shows
(`apisix_conf_references`): what it decides is not judged, neither as written nor as the default.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from riskscan.errors import SourceError
from riskscan.model import (
    AdminExposure,
    AdminExposureKind,
    CipherSetting,
    Evidence,
    GatewayConfig,
    SourceKind,
    TlsSetting,
)
from riskscan.sources import ReadContext
from riskscan.sources.gateways.apisix_conf_keys import admin_base, clear_secret_places, default_key_places
from riskscan.sources.gateways.apisix_conf_references import (
    LISTENER_SETTINGS,
    reference_warning,
    referenced_settings,
)
from riskscan.sources.gateways.apisix_sniff import RESOURCE_KEYS, looks_like_json, top_level_keys
from riskscan.sources.gateways.apisix_transport import node_listeners
from riskscan.sources.gateways.listen_addresses import is_any_network, is_loopback
from riskscan.sources.gateways.tls_ciphers import cipher_setting
from riskscan.sources.gateways.tls_versions import TlsDefault, default_setting, tls_setting
from riskscan.sources.structured import StructuredDocument, load_structured

__all__ = ["ApisixConfError", "ApisixConfReader"]

# Keys nested in config.yaml's own sections: one of them tells it from any other YAML with `apisix:`.
_NESTED_MARKERS = re.compile(
    r"^[ \t]+(?:node_listen|enable_admin|admin_key|allow_admin|admin_listen|role|role_traditional|etcd|"
    r"ssl|config_provider|admin|enable_control|extra_lua_path)[ \t]*:", re.MULTILINE)
_FOREIGN = frozenset({"openapi", "swagger", "_format_version", "apiVersion", "kind", "static_resources",
                      "http", "entryPoints"})
_DEFAULT_ALLOW = ("127.0.0.0/24",)  # config-default.yaml's allow_admin


class ApisixConfError(SourceError):
    """An APISIX config.yaml that cannot be read."""


def looks_like_apisix_conf(text: str) -> bool:
    """True for YAML with `apisix` or `deployment` at the top level holding config.yaml's own keys, and
    none of a route file's resource lists (`routes`, `upstreams` ...)."""
    if looks_like_json(text):
        return False
    keys = top_level_keys(text.lstrip("\ufeff"))
    if not ({"apisix", "deployment"} & keys.keys()) or (RESOURCE_KEYS | _FOREIGN) & keys.keys():
        return False
    return _NESTED_MARKERS.search(text) is not None


class ApisixConfReader:
    """Reads APISIX's config.yaml into a runtime `GatewayConfig`: TLS, Admin API exposure, secrets."""

    kind = SourceKind.APISIX_CONF
    title = "Apache APISIX runtime configuration (conf/config.yaml)"
    summary = ("apisix.ssl.ssl_protocols (APISIX's default when left out) and the node_listen and ssl.listen "
               "listeners, applied to every APISIX route file of the scan; the Admin API's listen address, "
               "allow_admin, admin_key_required and well-known default keys; credentials in clear by place, "
               "never the value")

    def sniff(self, path: Path, head: bytes) -> bool:
        """True for config.yaml (see `looks_like_apisix_conf`); never a standalone apisix.yaml."""
        if b"\0" in head:
            return False
        return looks_like_apisix_conf(head.decode("utf-8", errors="replace"))

    def read(self, path: Path, context: ReadContext) -> GatewayConfig:
        """Read one config.yaml; raise `ApisixConfError` naming the file and the problem."""
        shown = context.relative_path(path)
        try:
            document = load_structured(path, context)
        except SourceError as error:
            raise ApisixConfError(error.problem, path=error.path, line=error.line) from None
        if not isinstance(document.data, Mapping):
            raise ApisixConfError("the top level is not a mapping of config.yaml sections", path=shown,
                                  line=1)
        root = document.data
        warnings: list[str] = []
        for section in ("apisix", "deployment"):
            if root.get(section) is not None and not isinstance(root.get(section), Mapping):
                warnings.append(f"`{section}` is not a mapping: its settings are not read")
        referenced = referenced_settings(root, admin_base(root))
        warnings += [reference_warning(place) for place in referenced.values()]
        unknown = frozenset(referenced)
        listeners = None if unknown & LISTENER_SETTINGS else node_listeners(root, shown, document, warnings.append)
        tls_unknown = bool({"ssl.enable", "ssl_protocols"} & unknown)
        ciphers_unknown = bool({"ssl.enable", "ssl_ciphers"} & unknown)
        return GatewayConfig(
            path=shown, gateway="apisix", routes=(), is_runtime_config=True, warnings=tuple(warnings),
            tls_settings=None if tls_unknown else _tls_settings(root, shown, document),
            cipher_settings=None if ciphers_unknown else _cipher_settings(root, shown, document, warnings),
            admin_exposures=_admin_exposures(root, shown, document, unknown),
            client_listeners=listeners, unknown_settings=tuple(sorted(unknown)),
            clear_secrets=tuple(_evidence(shown, document, pointer, f"{what} written in clear (not an "
                                          "${{VAR}} or $env:// reference)")
                                for pointer, what in clear_secret_places(root)),
        )


def _section(root: Mapping[str, Any], *keys: str) -> Mapping[str, Any]:
    node: Any = root
    for key in keys:
        node = node.get(key) if isinstance(node, Mapping) else None
    return node if isinstance(node, Mapping) else {}


def _evidence(shown: str, document: StructuredDocument, pointer: str, note: str) -> Evidence:
    return Evidence(path=shown, line=document.line_of(pointer), pointer=pointer, note=note)


def _tls_settings(
    root: Mapping[str, Any], shown: str, document: StructuredDocument
) -> tuple[TlsSetting, ...]:
    """`apisix.ssl.ssl_protocols`, or APISIX's default; none when `apisix.ssl.enable` is false."""
    ssl = _section(root, "apisix", "ssl")
    if ssl.get("enable") is False:
        return ()
    protocols = ssl.get("ssl_protocols")
    if isinstance(protocols, str):
        evidence = _evidence(shown, document, "/apisix/ssl/ssl_protocols",
                             "apisix.ssl.ssl_protocols: the TLS versions of every SSL object naming none")
        setting = tls_setting(protocols.replace(",", " ").split(), evidence)
        if setting is not None:
            return (setting,)
    note = "no apisix.ssl.ssl_protocols: APISIX's default (config-default.yaml) applies"
    pointer = "/apisix/ssl" if ssl else "/apisix"
    return (default_setting(TlsDefault.APISIX, _evidence(shown, document, pointer, note)),)


def _cipher_settings(
    root: Mapping[str, Any], shown: str, document: StructuredDocument, warnings: list[str]
) -> tuple[CipherSetting, ...]:
    """`apisix.ssl.ssl_ciphers`, an OpenSSL cipher string for every SSL object; none when TLS is off or
    the setting is left to APISIX's default (config-default.yaml's list: not judged)."""
    ssl = _section(root, "apisix", "ssl")
    ciphers = ssl.get("ssl_ciphers")
    if ssl.get("enable") is False or not isinstance(ciphers, str):
        return ()
    evidence = _evidence(shown, document, "/apisix/ssl/ssl_ciphers",
                         "apisix.ssl.ssl_ciphers: the cipher suites of every SSL object")
    setting = cipher_setting([ciphers], evidence.model_copy(update={"excerpt": f"ssl_ciphers: {ciphers}"}),
                             warn=warnings.append)
    return (setting,) if setting is not None else ()


def _admin_exposures(
    root: Mapping[str, Any], shown: str, document: StructuredDocument, unknown: frozenset[str]
) -> tuple[AdminExposure, ...]:
    """The Admin API open to the network, and every well-known default key it accepts. Where it listens
    and whom it admits, taken from the environment (`unknown`), leave its reach unjudged; with
    `admin_key_required` unknown, reachable is judged, keyless is not."""
    if _section(root, "apisix").get("enable_admin") is False or \
            str(_section(root, "deployment").get("role", "")).lower() == "data_plane":
        return ()  # no Admin API served
    base = admin_base(root)
    admin = _section(root, *base.strip("/").split("/"))
    found = [AdminExposure(gateway="apisix", kind=AdminExposureKind.DEFAULT_KEY, evidence=_evidence(
        shown, document, pointer, f"{what}: anyone who reaches the Admin API can use it (CVE-2020-13945)"))
        for pointer, what in default_key_places(root)]
    listen = admin.get("admin_listen")
    ip = listen.get("ip", "0.0.0.0") if isinstance(listen, Mapping) else "0.0.0.0"
    allow = admin.get("allow_admin", _DEFAULT_ALLOW)
    allow = [allow] if isinstance(allow, str) else allow
    is_open = not allow or (isinstance(allow, list) and any(is_any_network(str(item)) for item in allow))
    reach_unknown = bool({"enable_admin", "role", "admin_listen", "allow_admin"} & unknown)
    if is_open and not is_loopback(str(ip)) and not reach_unknown:
        keyless = admin.get("admin_key_required") is False and "admin_key_required" not in unknown
        kind = AdminExposureKind.UNAUTHENTICATED if keyless else AdminExposureKind.NETWORK
        pointer = f"{base}/allow_admin" if "allow_admin" in admin else base
        guard = "and admin_key_required is false: nobody is asked for a key" if keyless else \
            "guarded by the admin key alone"
        found.append(AdminExposure(gateway="apisix", kind=kind, evidence=_evidence(
            shown, document, pointer, f"allow_admin admits every address and the Admin API listens on a "
            f"network address: reachable from the network, {guard}")))
    return tuple(found)
