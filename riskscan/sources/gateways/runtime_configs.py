"""Applying a gateway's runtime configuration (kong.conf, APISIX config.yaml) to its routes in the scan.

A runtime config is read on its own (`kong_conf`, `apisix_conf`), but what it decides holds for every
route of the same gateway: the TLS versions the proxy accepts, the listeners clients reach. Once all
files are read, the one runtime config of a gateway is applied to that gateway's route files:
- its TLS setting's evidence says it "applies to every Kong route in this scan" (how many, in which
  files), and an APISIX route file's SSL objects that name no versions stop claiming APISIX's default:
  config.yaml's own setting stands for them, declared where it is written;
- Kong routes served on plain HTTP by their `protocols` are not, when every `proxy_listen` entry has
  `ssl`: the listener refuses plain HTTP before any route is matched. Likewise APISIX routes, when no
  `node_listen` entry serves plain HTTP beyond the host;
- when the runtime config's proxy listeners are taken by reference (a Secret, `${VAR}`, APISIX's
  `${{VAR}}`), a route that takes plain HTTP is not judged served in plain text: no input shows whether a
  plain listener exists;
- a route left to the gateway's default listener (an APISIX route no redirect covers, judged on APISIX's
  documented node_listen 9080) is served over the runtime config's plain-HTTP listener, cited there.
Two or more runtime configs of one gateway leave it ambiguous which one runs: one warning, and neither's
TLS settings or listeners are applied (each is still checked for secrets and its Admin API).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from riskscan.discovery import DiscoveredInputs
from riskscan.model import ClientTransport, GatewayConfig, GatewayRoute, InputFile, TlsSetting
from riskscan.redaction import redact_file_path

__all__ = ["apply_runtime_configs"]

# Each gateway's label, and what its runtime configuration is called (a kong.conf may come as KONG_*
# variables of a container).
_NAMES = {"kong": ("Kong", "Kong runtime configurations (kong.conf or KONG_* variables)"),
          "apisix": ("APISIX", "APISIX config.yaml files")}
# The settings whose value decides whether a gateway's proxy serves plain HTTP at all.
_LISTENER_SETTINGS = {"kong": ("proxy_listen",), "apisix": ("node_listen", "proxy_protocol")}
# The settings whose value decides the TLS versions of the SSL objects that name none.
_TLS_VERSION_SETTINGS = {"kong": ("proxy_listen", "ssl_cipher_suite", "ssl_protocols"),
                         "apisix": ("ssl.enable", "ssl_protocols")}
_NO_PLAIN = {"kong": "every proxy_listen entry has ssl: plain HTTP is refused",
             "apisix": "no node_listen entry serves plain HTTP beyond the host: plain HTTP is not served"}


def apply_runtime_configs(inputs: DiscoveredInputs) -> DiscoveredInputs:
    """The inputs with each gateway's one runtime config applied to its routes (see the module)."""
    gateways = list(inputs.gateways)
    notes: dict[str, str] = {}
    for gateway, (label, configs_named) in _NAMES.items():
        mine = [(i, config) for i, config in enumerate(gateways) if config.gateway == gateway]
        runtimes = [i for i, config in mine if config.is_runtime_config]
        routed = [i for i, config in mine if not config.is_runtime_config]
        if len(runtimes) > 1:
            shown = ", ".join(gateways[i].path for i in runtimes[:3])
            notes[gateways[runtimes[0]].path] = (
                f"{len(runtimes)} {configs_named} ({shown}): which one runs is ambiguous, so neither's TLS "
                f"settings or listeners are applied")
            for i in runtimes:
                gateways[i] = gateways[i].model_copy(update={"tls_settings": None, "client_listeners": None,
                                                             "cipher_settings": None})
        elif runtimes:
            runtime = gateways[runtimes[0]]
            applies = _applies(label, [gateways[i] for i in routed])
            gateways[runtimes[0]] = runtime.model_copy(
                update={"tls_settings": _noted(runtime.tls_settings, applies)})
            for i in routed:
                gateways[i] = _applied(gateways[i], runtime, applies)
    records = tuple(_warned(record, notes.get(record.path)) for record in inputs.inputs)
    return replace(inputs, gateways=tuple(gateways), inputs=records)


def _applies(label: str, routed: Sequence[GatewayConfig]) -> str:
    """`applies to every Kong route in this scan (12 routes in kong.yaml)`."""
    count = sum(len(config.routes) for config in routed)
    if not routed:
        return f"applies to every {label} route; no {label} route file is in this scan"
    files = ", ".join(redact_file_path(config.path) for config in routed[:3])
    more = f" and {len(routed) - 3} more" if len(routed) > 3 else ""
    return f"applies to every {label} route in this scan ({count} in {files}{more})"


def _noted(settings: tuple[TlsSetting, ...] | None, applies: str) -> tuple[TlsSetting, ...] | None:
    if settings is None:
        return None
    return tuple(setting.model_copy(update={"evidence": setting.evidence.model_copy(
        update={"note": f"{setting.evidence.note or 'TLS versions'}; {applies}"})}) for setting in settings)


def _applied(config: GatewayConfig, runtime: GatewayConfig, applies: str) -> GatewayConfig:
    """A route file under its runtime config: defaulted TLS replaced, listeners that refuse plain HTTP."""
    update: dict[str, object] = {}
    versions_unknown = bool(set(_TLS_VERSION_SETTINGS[config.gateway]) & set(runtime.unknown_settings))
    if config.tls_settings is not None and (runtime.tls_settings is not None or versions_unknown):
        # The runtime config's own setting stands for every SSL object that names no versions (unknown
        # when it is taken by reference: the gateway's documented default then holds for none of them).
        update["tls_settings"] = tuple(setting for setting in config.tls_settings if not setting.is_default)
    listeners = runtime.client_listeners or ()
    plain = next((listener for listener in listeners if listener.is_plain), None)
    if set(_LISTENER_SETTINGS[config.gateway]) & set(runtime.unknown_settings):  # set, to values unseen
        update["routes"] = tuple(_unknown_listener(route) for route in config.routes)
    elif listeners and plain is None:
        tls_only = ClientTransport(is_plain=False, evidence=listeners[0].evidence.model_copy(
            update={"note": f"{_NO_PLAIN[config.gateway]}; {applies}"}))
        update["routes"] = tuple(_served_over(route, tls_only) for route in config.routes)
    elif plain is not None:
        served = ClientTransport(is_plain=True, evidence=plain.evidence.model_copy(update={
            "note": f"{plain.evidence.note}; no redirect to HTTPS covers the route; {applies}"}))
        update["routes"] = tuple(_defaulted(route, served) for route in config.routes)
    return config.model_copy(update=update) if update else config


def _served_over(route: GatewayRoute, tls_only: ClientTransport) -> GatewayRoute:
    if route.client_transport is None or not route.client_transport.is_plain:
        return route
    return route.model_copy(update={"client_transport": tls_only})


def _unknown_listener(route: GatewayRoute) -> GatewayRoute:
    """The route without its plain-HTTP judgement when the proxy's listeners are unknown: a route that
    takes http is served in plain text only where a plain listener exists, which nothing here shows."""
    if route.client_transport is None or not route.client_transport.is_plain:
        return route
    return route.model_copy(update={"client_transport": None})


def _defaulted(route: GatewayRoute, served: ClientTransport) -> GatewayRoute:
    """The route over the runtime config's plain listener, where only the default listener judged it."""
    if route.client_transport is None or not route.client_transport.is_default:
        return route
    return route.model_copy(update={"client_transport": served})


def _warned(record: InputFile, note: str | None) -> InputFile:
    if note is None:
        return record
    message = f"{note}; {record.message}" if record.message else note
    return record.model_copy(update={"message": message})
