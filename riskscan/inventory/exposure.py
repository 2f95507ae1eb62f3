"""EndpointExposure: who can reach an endpoint, public, internal or unknown, as far as the inputs show.

Scores weigh a public endpoint over an internal one (`riskscan.controls.weights`), so this module
only calls an endpoint internal on a positive sign, in this order:

1. a network restriction in force on every route serving it (`restriction_plugins`: ip-restriction,
   allow lists, an AWS private endpoint or VPC condition): internal, enforced by the gateway;
2. mutual TLS as its only authentication: only holders of a certificate the gateway trusts reach it;
3. traffic from at least `public_clients` distinct clients: public, whatever its host is called;
4. an internal host name (`.internal`, `.svc.cluster.local` ...) or a private address: internal;
5. any other named host (a public name or address): public.

Otherwise (no host, or one that names where a log or developer ran: `localhost`, a loopback address,
a single-label name) the endpoint is unknown, which weighs as public: never assume a thing is internal.
The rules are data (`exposure.yaml`).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from riskscan.model import AuthKind, AuthPosture, EndpointExposure, TrafficStats

__all__ = ["ExposureRules", "default_exposure_rules", "endpoint_exposure", "parse_exposure_rules"]

_RULES_FILE = "exposure.yaml"
_PRIVATE_NETWORKS = tuple(ipaddress.ip_network(network) for network in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "fc00::/7", "fe80::/10"))
"""Private (RFC 1918, RFC 4193) and link-local ranges. Documentation ranges (203.0.113.0/24), which
Python also calls private, stand for public addresses in examples: they are not internal here."""


@dataclass(frozen=True)
class ExposureRules:
    """The signs `endpoint_exposure` reads (see `exposure.yaml`)."""

    restriction_plugins: frozenset[str]
    internal_suffixes: frozenset[str]
    uninformative_hosts: frozenset[str]
    public_clients: int


def parse_exposure_rules(text: str) -> ExposureRules:
    """The rules in `text` (YAML); ValueError naming the file and the problem when malformed."""
    raw: Any = yaml.safe_load(text)
    if not isinstance(raw, dict):
        raise ValueError(f"{_RULES_FILE}: a mapping is required")
    try:
        return ExposureRules(
            restriction_plugins=_words(raw["restriction_plugins"]),
            internal_suffixes=_words(raw["internal_suffixes"]),
            uninformative_hosts=_words(raw["uninformative_hosts"]),
            public_clients=int(raw["public_clients"]),
        )
    except (KeyError, TypeError) as error:
        raise ValueError(f"{_RULES_FILE}: missing or malformed {error}") from error


@lru_cache(maxsize=1)
def default_exposure_rules() -> ExposureRules:
    """The rules shipped with riskscan."""
    text = resources.files(__package__).joinpath(_RULES_FILE).read_text(encoding="utf-8")
    return parse_exposure_rules(text)


def endpoint_exposure(
    host: str | None,
    plugins: tuple[str, ...],
    auth: AuthPosture,
    traffic: TrafficStats | None,
    rules: ExposureRules | None = None,
) -> tuple[EndpointExposure, str]:
    """The endpoint's exposure and the sign that showed it, in words."""
    rules = rules or default_exposure_rules()
    restriction = next((name for name in plugins if name.lower() in rules.restriction_plugins), None)
    if restriction is not None:
        return EndpointExposure.INTERNAL, f"restricted to known networks by {restriction} on every route serving it"
    if auth.is_known and auth.effective is AuthKind.MTLS:
        return EndpointExposure.INTERNAL, "only callers with a certificate the gateway trusts (mutual TLS) reach it"
    if traffic is not None and traffic.clients >= rules.public_clients:
        return EndpointExposure.PUBLIC, f"called by {traffic.clients:,} distinct clients"
    name = _host_name(host)
    if name is None or _says_nothing(name, rules):
        return EndpointExposure.UNKNOWN, "no input shows who reaches it; weighed as public"
    if _is_internal(name, rules.internal_suffixes):
        return EndpointExposure.INTERNAL, f"served on the internal host {name}"
    return EndpointExposure.PUBLIC, f"served on the host {name}, reachable from outside"


def _host_name(host: str | None) -> str | None:
    """The host without port, brackets or trailing dot, lower case; None when there is none."""
    if not host:
        return None
    name = host.strip().lower()
    if name.startswith("["):  # [2001:db8::1]:8443
        name = name[1:].partition("]")[0]
    elif name.count(":") == 1:
        name = name.partition(":")[0]
    return name.rstrip(".") or None


def _says_nothing(name: str, rules: ExposureRules) -> bool:
    """`localhost`, a loopback address or a single-label name (`claims`) shows where a log or a
    developer ran, or a name resolved only by a search domain, not who reaches the service."""
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return name in rules.uninformative_hosts or "." not in name


def _is_internal(name: str, suffixes: frozenset[str]) -> bool:
    """A private or link-local address, or a name under an internal suffix."""
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return any(name.endswith(f".{suffix}") for suffix in suffixes)
    return any(address in network for network in _PRIVATE_NETWORKS)


def _words(value: object) -> frozenset[str]:
    if not isinstance(value, list):
        raise TypeError("list")
    return frozenset(str(item).lower() for item in value)
