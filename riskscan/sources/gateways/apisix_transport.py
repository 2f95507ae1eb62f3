"""How clients reach APISIX routes: the listeners config.yaml declares and the `redirect` plugin.

APISIX serves every route on every listener it has (its config-default.yaml and `apisix/cli/ops.lua`):
- `apisix.node_listen`, plain HTTP: a port, or a list of ports and `{ip, port}` mappings (ip left out:
  every address; port left out: 9080); left out of config.yaml, port 9080 on every address; `~` or an
  empty list: none. `apisix.proxy_protocol.listen_http_port` is plain HTTP too, behind a TCP balancer;
- `apisix.ssl.listen`, TLS: a list of `{ip, port}` (port left out: 9443; 2.x wrote `listen_port`),
  left out 9443; none when `apisix.ssl.enable` is false.
A route is answered over plain HTTP unless a `redirect` plugin with `http_to_https: true` is in force
on it (route, plugin config, service or global rule): plain-HTTP requests then get a 301 to HTTPS. A
plugin with a `_meta.filter` runs for some requests only, so it redirects none for certain.

`route_transport` judges a route file's route: redirected (the plugin's place), or served over plain
HTTP by APISIX's default listener (`is_default`: the documentation's word, since a route file cannot
show the listeners), or None when an Admin API export not given (global rules, the route's service or
plugin config) could hold the redirect. `node_listeners` reads config.yaml's listeners, each plain or
TLS; `runtime_configs` applies them to the route files of the scan. A plain listener on a loopback
address serves no client beyond the host. Addresses are judged, never kept: evidence names the place.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from riskscan.model import ClientTransport, Evidence
from riskscan.sources.gateways.listen_addresses import is_loopback
from riskscan.sources.structured import StructuredDocument

__all__ = ["node_listeners", "route_transport"]

_DEFAULT_HTTP_PORT = 9080
_DEFAULT_TLS_PORT = 9443
_EVERY_ADDRESS = "0.0.0.0"
_MAX_ENTRIES = 32  # listener entries judged per setting: a hostile list of thousands is cut
_REDIRECTED = ("redirect plugin with http_to_https: plain-HTTP requests are answered with a redirect to "
               "HTTPS")
_DEFAULT_PLAIN = ("no redirect plugin with http_to_https covers it: APISIX's default plain-HTTP listener "
                  "(node_listen 9080, every address) serves it, declared by APISIX's documentation; no "
                  "config.yaml in the scan shows the listeners")


def route_transport(
    redirects: Iterable[tuple[Mapping[str, Any], Evidence]], route: Evidence, *, could_hide: bool
) -> ClientTransport | None:
    """How clients reach one route, from the `redirect` plugins in force on it (their configurations and
    places) and the route's own evidence; None when resources not given (`could_hide`) may redirect it."""
    for conf, evidence in redirects:
        if conf.get("http_to_https") is True:
            return ClientTransport(is_plain=False, evidence=evidence.model_copy(update={"note": _REDIRECTED}))
    if could_hide:
        return None
    return ClientTransport(is_plain=True, is_default=True,
                           evidence=route.model_copy(update={"note": _DEFAULT_PLAIN}))


def node_listeners(
    root: Mapping[str, Any], shown: str, document: StructuredDocument, warn: Callable[[str], None]
) -> tuple[ClientTransport, ...]:
    """Every client listener config.yaml gives APISIX: plain HTTP first, then TLS, each at its place; an
    entry APISIX would not listen on (no port, an impossible one) is warned about and left out."""
    apisix = root.get("apisix")
    apisix = apisix if isinstance(apisix, Mapping) else {}
    found = list(_plain_listeners(apisix, shown, document, warn))
    proxy_protocol = apisix.get("proxy_protocol")
    port = proxy_protocol.get("listen_http_port") if isinstance(proxy_protocol, Mapping) else None
    if _is_port(port):
        pointer = "/apisix/proxy_protocol/listen_http_port"
        found.append(ClientTransport(is_plain=True, evidence=_evidence(
            shown, document, pointer, f"apisix.proxy_protocol.listen_http_port: plain HTTP on port "
            f"{port}, with the PROXY protocol (behind a TCP load balancer)")))
    found += _tls_listeners(apisix, shown, document, warn)
    return tuple(found)


def _plain_listeners(
    apisix: Mapping[str, Any], shown: str, document: StructuredDocument, warn: Callable[[str], None]
) -> Iterator[ClientTransport]:
    if "node_listen" not in apisix:
        pointer = "/apisix" if apisix else ""
        note = (f"no apisix.node_listen: APISIX's default applies, plain HTTP on port {_DEFAULT_HTTP_PORT} "
                "on every address (config-default.yaml)")
        yield ClientTransport(is_plain=True, evidence=_evidence(shown, document, pointer, note))
        return
    entries = _entries(apisix.get("node_listen"), "/apisix/node_listen", _DEFAULT_HTTP_PORT, warn)
    for pointer, where, ip, port in entries:
        if is_loopback(ip):
            note = (f"{where}: plain HTTP on port {port} on a loopback address only: clients beyond the host "
                    "cannot reach it")
            yield ClientTransport(is_plain=False, evidence=_evidence(shown, document, pointer, note))
        else:
            note = f"{where}: plain HTTP on port {port}"
            yield ClientTransport(is_plain=True, evidence=_evidence(shown, document, pointer, note))


def _tls_listeners(
    apisix: Mapping[str, Any], shown: str, document: StructuredDocument, warn: Callable[[str], None]
) -> Iterator[ClientTransport]:
    ssl = apisix.get("ssl")
    ssl = ssl if isinstance(ssl, Mapping) else {}
    if ssl.get("enable") is False:
        return
    if "listen" in ssl:
        entries = _entries(ssl.get("listen"), "/apisix/ssl/listen", _DEFAULT_TLS_PORT, warn)
    elif _is_port(ssl.get("listen_port")):  # APISIX 2.x
        entries = iter([("/apisix/ssl/listen_port", "apisix.ssl.listen_port", _EVERY_ADDRESS,
                         ssl["listen_port"])])
    else:
        note = f"no apisix.ssl.listen: APISIX's default applies, TLS on port {_DEFAULT_TLS_PORT}"
        yield ClientTransport(is_plain=False, evidence=_evidence(
            shown, document, "/apisix/ssl" if ssl else "/apisix", note))
        return
    for pointer, where, _, port in entries:
        yield ClientTransport(is_plain=False, evidence=_evidence(shown, document, pointer,
                                                                 f"{where}: TLS on port {port}"))


def _entries(
    value: object, pointer: str, default_port: int, warn: Callable[[str], None]
) -> Iterator[tuple[str, str, str, object]]:
    """(pointer, label, ip, port) of each entry of a listen setting, as APISIX fills in what is left out;
    an entry that is neither a port nor a mapping with a valid port is warned about and skipped."""
    setting = pointer.strip("/").replace("/", ".")
    if _is_port(value):
        yield pointer, setting, _EVERY_ADDRESS, value
        return
    if value is not None and not isinstance(value, list):
        warn(f"{setting} is neither a port nor a list of listeners: APISIX listens on none of it")
        return
    for index, item in enumerate(value[:_MAX_ENTRIES] if isinstance(value, list) else []):
        where = f"{setting} entry {index + 1}"
        port = item.get("port", default_port) if isinstance(item, Mapping) else item
        if not _is_port(port):
            warn(f"{where} names no valid port: not judged as a listener")
            continue
        ip = item.get("ip") if isinstance(item, Mapping) else None
        yield f"{pointer}/{index}", where, ip if isinstance(ip, str) else _EVERY_ADDRESS, port


def _is_port(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 65536


def _evidence(shown: str, document: StructuredDocument, pointer: str, note: str) -> Evidence:
    return Evidence(path=shown, line=document.line_of(pointer) if pointer else None, pointer=pointer or None,
                    note=note)
