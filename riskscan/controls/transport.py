"""Transport security (OWASP API8:2023): plain HTTP between clients and the gateway, between the gateway
and the backends, and TLS versions too old to trust.

Three views, each where the inputs show it:

- clients to gateway: the listeners or entry points a route is served on (Kong route protocols, nginx
  `listen` without `ssl` and no HTTPS redirect, Envoy listeners without a transport socket, Traefik
  routers without TLS, Ingress hosts without `tls`, Gateway API HTTP listeners, APISIX config.yaml's
  `node_listen` where no `redirect` plugin covers the route): `enforced`; an APISIX route no redirect
  covers, without config.yaml, is judged on APISIX's documented default listener (plain HTTP on 9080):
  its own medium finding, worded as the documentation's word, since whether clients reach that port
  cannot be told; where no gateway shows them, the spec's servers (`http://` URLs, Swagger `schemes:
  [http]`): `declared`;
- gateway to backends: the scheme of each route's upstream (APISIX, Kong, nginx, Envoy, Traefik):
  `enforced`;
- TLS versions written in the configs (nginx `ssl_protocols`, Envoy `tls_minimum_protocol_version`,
  Traefik TLS options `minVersion`, APISIX `ssl_protocols`, the security policy of an AWS API Gateway
  custom domain in a CloudFormation or SAM template): TLS 1.0 or 1.1 (or SSL) accepted is one
  estate-wide finding listing each place;
- cipher suites and maximum versions written in the configs (`transport_ciphers`): broken suites, a
  maximum below TLS 1.2, no forward secrecy, CBC with SHA-1 beside TLS 1.0, build-dependent keywords;
- TLS served with no versions written: the gateway's documented default (see `tls_versions`). A default
  that accepted TLS 1.0 and 1.1 in older releases (nginx before 1.23.4, Envoy before 1.22, Traefik
  before 2.8.1) is one estate-wide low finding naming the release to check: the file cannot show the
  release, and older ones are still common (distribution packages), so saying nothing would hide a
  likely legacy listener, while a medium finding would claim what the file does not show. A default
  that is modern in every release (APISIX) passes, its evidence the documentation's word (declared),
  never the gateway seen enforcing it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from riskscan.controls.by_reference import by_reference_fields
from riskscan.controls.catalogue import Control
from riskscan.controls.outcome import (
    ControlOutcome,
    FindingDraft,
    count_endpoints,
    draft_finding,
    key_count,
    known_outcome,
    plural,
    reachable_endpoints,
    short_of_core,
    unknown_outcome,
)
from riskscan.controls.transport_ciphers import cipher_drafts, cipher_evidence, cipher_sentence
from riskscan.model import Endpoint, Evidence, EvidenceStrength, Inventory, TlsSetting

__all__ = ["evaluate_transport_security"]


def evaluate_transport_security(inventory: Inventory, control: Control) -> ControlOutcome:
    """Judge client transport, upstream schemes and TLS versions wherever the inputs show them."""
    reachable = reachable_endpoints(inventory)
    routed = reachable if inventory.has_gateway else []
    upstream = [e for e in routed if e.upstreams]
    listened = [e for e in routed if e.client_transport is not None]
    declared = [e for e in reachable if e.client_transport is None and e.declared_transport]
    judged = list({e.key: e for e in (*upstream, *listened, *declared)}.values())
    if not judged and not inventory.tls_checked and not inventory.cipher_settings:
        return unknown_outcome(control, "no_inputs" if not (inventory.has_gateway or inventory.has_specs)
                               else "not_shown")
    plain_schemes = control.words("plain_schemes")
    plain_upstream = [e for e in upstream if any((u.scheme or u.default_scheme).lower() in plain_schemes
                                                 for u in e.upstreams)]
    plain_client = [e for e in listened if _is_plain(e, by_default=False)]
    # Plain only by a gateway's documented default listener (APISIX without config.yaml): its own finding.
    plain_default = [e for e in listened
                     if not _is_plain(e, by_default=False) and _is_plain(e, by_default=True)]
    plain_declared = [e for e in declared if any(t.is_plain for t in e.declared_transport)]
    legacy = [setting for setting in inventory.tls_settings if setting.allows_legacy]
    uncertain = [setting for setting in inventory.tls_settings
                 if setting.is_default and setting.depends_on_version and not setting.allows_legacy]
    groups = {"TLS_PLAIN_CLIENT": (plain_client, _client_evidence(plain_client)),
              "TLS_PLAIN_CLIENT_DEFAULT": (plain_default, _client_evidence(plain_default)),
              "TLS_PLAIN_SERVER_DECLARED": (plain_declared, _declared_evidence(plain_declared)),
              "TLS_PLAIN_UPSTREAM": (plain_upstream, _upstream_evidence(plain_upstream))}
    drafts = [draft_finding(control, code, group, evidence)
              for code, (group, evidence) in groups.items() if group]
    drafts += [_settings_draft(control, "TLS_LEGACY_VERSIONS", legacy)] if legacy else []
    drafts += [_settings_draft(control, "TLS_DEFAULT_VERSION_DEPENDENT", uncertain)] if uncertain else []
    drafts += cipher_drafts(control, inventory)
    # Settings set to values no input shows (a Secret, a ${VAR}, a template placeholder): named, never judged.
    referenced = by_reference_fields(inventory, _TRANSPORT_SETTINGS)
    legacy_text = _legacy_sentence(inventory, legacy, referenced) + _default_sentence(inventory, uncertain)
    ciphers_text = cipher_sentence(inventory, by_reference=by_reference_fields(
        inventory, {"ssl_ciphers", "ssl_cipher_suite"}) is not None)
    # What each pass rests on: the listeners and upstreams no finding names.
    client_ok = [e for e in listened if e.key not in {p.key for p in (*plain_client, *plain_default)}]
    upstream_ok = [e for e in upstream if e.key not in {p.key for p in plain_upstream}]
    outcome = known_outcome(
        control, judged, drafts, strength=_strength,
        limitations=_limitations(control, inventory, listened, upstream, referenced),
        evidence=[*_client_evidence(client_ok), *_upstream_evidence(upstream_ok),
                  *(setting.evidence for setting in inventory.tls_settings
                    if not setting.allows_legacy and setting.is_recognised and setting not in uncertain),
                  *cipher_evidence(inventory)],
        clients=_sentence(plain_client, [e for e in listened if e not in plain_default], "endpoints whose "
                          "listeners the gateway shows are served over plain HTTP")
        + _default_listener_sentence(plain_default),
        declared=_sentence(plain_declared, declared, "endpoints whose listeners no config shows are"
                           " documented on plain-HTTP servers"),
        upstreams=_sentence(plain_upstream, upstream, "routed endpoints are forwarded to their backends in"
                            " plain text"),
        legacy=legacy_text,
        # The sentences before {legacy} end with a space; {legacy} ends with a full stop.
        ciphers=ciphers_text if legacy_text else ciphers_text.lstrip(),
    )
    # Spec servers show the way in at most: without a gateway config nothing shows the way to the backends.
    if not inventory.has_gateway:
        return short_of_core(outcome, "no_upstreams")
    # Listeners set by reference: whether the routes that take http are served in plain text is unknown.
    if referenced is not None and by_reference_fields(inventory, _LISTENER_SETTINGS):
        return short_of_core(outcome, "by_reference", **referenced)
    return outcome


def _sentence(flagged: Sequence[Endpoint], judged: Sequence[Endpoint], text: str) -> str:
    """`3 of 12 endpoints ... . `, or nothing when no endpoint was judged this way."""
    return f"{key_count(flagged)} of {key_count(judged)} {text}. " if judged else ""


def _is_plain(endpoint: Endpoint, *, by_default: bool) -> bool:
    """True when a listener serving the endpoint is plain: one a config shows, or (`by_default`) one that
    is only the gateway's documented default."""
    return any(t.is_plain and t.is_default == by_default for t in endpoint.client_transport or ())


def _default_listener_sentence(plain_default: Sequence[Endpoint]) -> str:
    """The summary's {clients}, second part: endpoints left to a gateway's default plain listener."""
    if not plain_default:
        return ""
    count = key_count(plain_default)
    return (f"{count_endpoints(count)} with no redirect to HTTPS {'is' if count == 1 else 'are'} left to the "
            "gateway's default plain-HTTP listener (declared by its documentation: no runtime config "
            "given). ")


def _strength(endpoint: Endpoint) -> EvidenceStrength:
    """Listeners and upstreams are enforced by the gateway; spec servers, and a listener that is only the
    gateway's documented default, are declared."""
    if endpoint.upstreams or any(not t.is_default for t in endpoint.client_transport or ()):
        return EvidenceStrength.ENFORCED
    return EvidenceStrength.DECLARED


_TRANSPORT_SETTINGS = frozenset({"proxy_listen", "ssl_cipher_suite", "ssl_protocols", "ssl_ciphers", "node_listen",
                                 "proxy_protocol", "ssl.enable", "ssl.listen", "listen", "SecurityPolicy"})
_LISTENER_SETTINGS = frozenset({"proxy_listen", "node_listen", "proxy_protocol", "listen"})


def _limitations(
    control: Control, inventory: Inventory, listened: Sequence[Endpoint], upstream: Sequence[Endpoint],
    referenced: dict[str, str] | None,
) -> list[str]:
    keys = ["tls_defaults", "cipher_defaults"]
    if not listened:
        keys.append("no_listeners")
    if any(t.is_default for e in listened for t in e.client_transport or ()):
        keys.append("default_listeners")
    if not upstream:
        keys.append("no_upstreams")
    if not inventory.tls_checked and not referenced:
        keys.append("no_tls_settings")
    return [control.limitation(key) for key in keys] + (
        [control.limitation("by_reference", **referenced)] if referenced else [])


def _legacy_sentence(inventory: Inventory, legacy: Sequence[TlsSetting], referenced: dict[str, str] | None) -> str:
    """The summary's {legacy}, first part: what the TLS versions written in the configs show."""
    if not inventory.tls_settings and referenced:
        return f"TLS versions are set by reference in {referenced['places']}: not judged."
    if not inventory.tls_checked:
        return "No gateway config given sets TLS versions riskscan reads."
    if not inventory.tls_settings:
        return f"The configs read ({', '.join(inventory.tls_checked)}) set no TLS versions and serve no TLS."
    written = [setting for setting in inventory.tls_settings if not setting.is_default and setting.is_recognised]
    unread = [setting for setting in inventory.tls_settings if not setting.is_recognised]
    apart = (f" {plural(len(unread), 'TLS setting')} name no version riskscan recognises: not judged."
             if unread else "")
    if not written:
        return apart.lstrip()
    read = plural(len(written), "TLS setting")
    return (f"{len(legacy)} of {read} read accept TLS 1.0 or 1.1." if legacy
            else f"No TLS setting read accepts TLS 1.0 or 1.1 ({read}).") + apart


def _default_sentence(inventory: Inventory, uncertain: Sequence[TlsSetting]) -> str:
    """The summary's {legacy}, second part: the places serving TLS that write no versions."""
    defaults = [setting for setting in inventory.tls_settings if setting.is_default]
    if not defaults:
        return ""
    lead = f"{' ' if len(defaults) < len(inventory.tls_settings) else ''}TLS served at " \
           f"{plural(len(defaults), 'place')} without versions named: "
    if not uncertain:
        return (f"{lead}the gateway's documented default applies, TLS 1.2 or later (declared by its "
                "documentation, not seen enforced).")
    where = "there" if len(uncertain) == len(defaults) else f"at {len(uncertain)} of them"
    return (f"{lead}the gateway's default {where} accepts TLS 1.0 and 1.1 on older releases, so the "
            "release deployed decides.")


def _settings_draft(control: Control, code: str, settings: Sequence[TlsSetting]) -> FindingDraft:
    """An estate-wide finding listing each place: TLS 1.0 or 1.1 written, or left to a default that
    accepts them on older releases ({releases} names which)."""
    protocols = sorted({protocol for setting in settings for protocol in setting.protocols})
    releases = sorted({setting.depends_on_version for setting in settings if setting.depends_on_version})
    fields = {"places": plural(len(settings), "place"), "protocols": ", ".join(protocols),
              "files": ", ".join(sorted({setting.evidence.path for setting in settings})),
              "releases": "; ".join(releases)}
    return draft_finding(control, code, (), [setting.evidence for setting in settings], **fields)


def _client_evidence(endpoints: Iterable[Endpoint]) -> list[Evidence]:
    return [t.evidence for e in endpoints for t in e.client_transport or ()]


def _declared_evidence(endpoints: Iterable[Endpoint]) -> list[Evidence]:
    return [t.evidence for e in endpoints for t in e.declared_transport if t.is_plain]


def _upstream_evidence(endpoints: Iterable[Endpoint]) -> list[Evidence]:
    return [u.evidence for e in endpoints for u in e.upstreams]
