"""Envoy's RBAC filters (`envoy.filters.http.rbac`, `envoy.filters.network.rbac`): what one route's
effective policy enforces, as Envoy's v3 documentation defines it.

`rules` hold an `action` (ALLOW, the default; DENY; LOG) and named `policies`; a policy matches a
request when one of its `permissions` (what is asked: paths, methods ...) and one of its `principals`
(who asks: addresses, certificates, headers, JWT claims) match. ALLOW lets a request in only when some
policy matches (so `rules` with no policies deny everything); DENY refuses it when some policy matches;
LOG enforces nothing. Absent `rules` enforce nothing; `shadow_rules` are evaluated and never enforced.
A route's `RBACPerRoute` replaces the filter's config there, and one without `rbac` (or `rbac: {}`)
turns it off. The network filter checks each connection before any HTTP filter: it needs no
per-route override and sees no paths.

Evaluated conservatively, per route: a policy counts unless its permissions surely select none of the
route's requests (paths compared as `envoy_jwt.match_coverage` does, `:method` against the route's
methods); an ALLOW restriction holds only when every such policy demands it of every principal:
- `direct_remote_ip` / `source_ip` (and `remote_ip` when the connection manager sets
  `use_remote_address`; otherwise Envoy takes it from `x-forwarded-for`, which a caller can write)
  ranges other than `/0` are a network restriction: the route gets an `ip-restriction` reference;
- `authenticated` principals require a client certificate: credited only where the listener requires
  one (`require_client_certificate`, already counted as mutual TLS), otherwise said not to hold;
- `metadata` from `envoy.filters.http.jwt_authn` is authorisation on JWT claims on top of the token
  check; `header` principals are values a caller may send: neither is a restriction.
DENY policies with addresses are a deny list (every other address passes): said, not credited. A
policy set that surely refuses every request of the route (ALLOW with no policy covering it, DENY of
anyone on all of it) closes the route. Rules given with the matcher API are not evaluated. Plugin
references are named for what they do (`rbac:allow`, `rbac:deny`, `rbac:log`, `rbac:shadow`,
`rbac:off`, `rbac:matcher`, `rbac:none`), so only `ip-restriction` reads as a network restriction.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from riskscan.sources.gateways.envoy_jwt import match_coverage
from riskscan.sources.structured import join_pointer

__all__ = ["RbacOutcome", "RbacRef", "RouteShape", "rbac_outcome"]

_MAX_DEPTH = 8  # permissions and principals nest; deeper ones are not evaluated
_IP_KEYS = ("direct_remote_ip", "source_ip", "remote_ip")
_JWT_FILTER = "envoy.filters.http.jwt_authn"
_WHOLE, _PART, _NONE = "whole", "part", "none"


@dataclass(frozen=True)
class RouteShape:
    """What the RBAC evaluation needs to know of a route and its listener."""

    uris: tuple[str, ...]
    methods: tuple[str, ...] = ()  # empty: any method
    has_client_certs: bool = False  # the filter chain requires a client certificate
    trusts_forwarded_for: bool = True  # `remote_ip` comes from x-forwarded-for (no use_remote_address)


@dataclass(frozen=True)
class RbacRef:
    """A plugin reference the route gets: its name, where in the file, an excerpt and a note."""

    name: str
    pointer: str
    excerpt: str
    note: str | None = None


@dataclass
class RbacOutcome:
    """What an RBAC config does on one route."""

    refs: list[RbacRef] = field(default_factory=list)
    denies_everyone: bool = False


@dataclass(frozen=True)
class _Guard:
    """What a principal demands of every caller it admits (`ip`, `mtls`, `claims` ...) and its ranges."""

    kinds: frozenset[str] = frozenset()
    ranges: tuple[str, ...] = ()
    is_anyone: bool = False  # `any: true`: matches every caller


def rbac_outcome(config: dict[str, object], pointer: str, shape: RouteShape) -> RbacOutcome:
    """The references and closure the RBAC config (filter or per-route `rbac`) gives one route."""
    outcome = RbacOutcome()
    rules, shadow = config.get("rules"), config.get("shadow_rules")
    if isinstance(rules, dict):
        _rules(rules, f"{pointer}/rules", shape, outcome)
    elif config.get("matcher") is not None:
        outcome.refs.append(RbacRef("rbac:matcher", f"{pointer}/matcher", "rbac matcher",
                                    "rules given with the matcher API: not evaluated, nothing credited"))
    else:
        outcome.refs.append(RbacRef("rbac:none", pointer, "rbac without rules", "no rules: enforces nothing"))
    if shadow is not None or config.get("shadow_matcher") is not None:
        where = f"{pointer}/shadow_rules" if shadow is not None else f"{pointer}/shadow_matcher"
        outcome.refs.append(RbacRef("rbac:shadow", where, "rbac shadow_rules",
                                    "shadow rules are evaluated and logged, never enforced"))
    return outcome


def _rules(rules: dict[str, object], pointer: str, shape: RouteShape, outcome: RbacOutcome) -> None:
    action = str(rules.get("action", "ALLOW")).upper()
    policies = rules.get("policies", {})
    if not isinstance(policies, dict) or not all(isinstance(value, dict) for value in policies.values()):
        outcome.refs.append(RbacRef("rbac:unknown", pointer, "rbac policies",
                                    "policies are not a mapping of policies: not evaluated"))
        return  # Envoy refuses such a config; nothing is credited, nothing is said closed
    named = {str(key): value for key, value in policies.items()}
    applicable = [(name, policy, _policy_coverage(policy, shape)) for name, policy in sorted(named.items())]
    applicable = [item for item in applicable if item[2] != _NONE]
    if action == "ALLOW":
        _allow(applicable, pointer, shape, outcome)
    elif action == "DENY":
        _deny(applicable, pointer, outcome)
    elif action == "LOG":
        outcome.refs.append(RbacRef("rbac:log", pointer, "rbac LOG",
                                    "LOG action: matches are logged, nothing is enforced"))
    else:
        outcome.refs.append(RbacRef("rbac:unknown", pointer, "rbac action",
                                    "action is not ALLOW, DENY or LOG: not evaluated"))


_Applicable = list[tuple[str, dict[str, object], str]]  # (policy name, policy, coverage of the route)


def _allow(applicable: _Applicable, pointer: str, shape: RouteShape, outcome: RbacOutcome) -> None:
    """ALLOW: the restrictions every policy that may admit the route's requests demands of everyone."""
    if not applicable:
        outcome.denies_everyone = True
        outcome.refs.append(RbacRef("rbac:allow", pointer, "rbac ALLOW",
                                    "no ALLOW policy covers this route's requests: each is denied (403)"))
        return
    guards = [_policy_guard(policy, shape) for _, policy, _ in applicable]
    kinds = frozenset.intersection(*(guard.kinds for guard in guards))
    ranges = tuple(dict.fromkeys(item for guard in guards for item in guard.ranges))
    where = join_pointer(f"{pointer}/policies", applicable[0][0]) if len(applicable) == 1 else pointer
    names = ", ".join(name for name, _, _ in applicable)
    if "ip" in kinds:
        shown = f"rbac ALLOW from {len(ranges)} address range(s)"  # addresses are redacted downstream
        outcome.refs.append(RbacRef("ip-restriction", where, shown,
                                    f"only callers from these addresses are allowed (policies {names})"))
    outcome.refs.append(RbacRef("rbac:allow", where, f"rbac ALLOW policies {names}"[:200],
                                _allow_note(kinds, shape)))


def _allow_note(kinds: frozenset[str], shape: RouteShape) -> str:
    notes: list[str] = []
    if "ip" in kinds:
        notes.append("an address allow list")
    elif "forwarded_ip" in kinds:
        notes.append("remote_ip is read from x-forwarded-for, which a caller can set (use_remote_address is "
                     "not true): not credited as a network restriction")
    if "mtls" in kinds:
        notes.append("only clients with a certificate named in the policy: authorisation on the client "
                     "certificate" if shape.has_client_certs else "authenticated principals need a client "
                     "certificate, which this listener does not require: mutual TLS cannot hold here")
    if "claims" in kinds:
        notes.append("authorisation on JWT claims (jwt_authn metadata) on top of the token check")
    if "header" in kinds:
        notes.append("header principals are values a caller may send: no restriction")
    if not kinds:
        notes.append("some policy admits any caller on this route's requests: no restriction")
    return "; ".join(notes)


def _deny(applicable: _Applicable, pointer: str, outcome: RbacOutcome) -> None:
    """DENY: a policy refusing anyone on all of the route closes it; addresses make a deny list."""
    if not applicable:
        outcome.refs.append(RbacRef("rbac:deny", pointer, "rbac DENY", "no DENY policy covers this route"))
        return
    for name, policy, coverage in applicable:
        guard = _policy_guard(policy, RouteShape(uris=()))
        where = join_pointer(f"{pointer}/policies", name)
        is_unconditional = policy.get("condition") is None and policy.get("checked_condition") is None
        if guard.is_anyone and coverage == _WHOLE and is_unconditional:
            outcome.denies_everyone = True
            note = "denies every caller on all of this route's requests"
        elif guard.ranges:
            note = ("a deny list: listed addresses are refused, every other address passes (weaker than an "
                    "allow list)" + ("" if coverage == _WHOLE else "; on part of this route's requests"))
        else:
            note = "denies matching requests: no restriction credited"
        outcome.refs.append(RbacRef("rbac:deny", where, f"rbac DENY policy {name}"[:200], note))


def _policy_guard(policy: dict[str, object], shape: RouteShape) -> _Guard:
    """What every principal of the policy demands (principals are alternatives: the common part)."""
    principals = policy.get("principals")
    guards = [_principal(item, shape, 0) for item in principals] if isinstance(principals, list) else []
    if not guards:
        return _Guard()
    kinds = frozenset.intersection(*(guard.kinds for guard in guards))
    ranges = tuple(item for guard in guards for item in guard.ranges)
    return _Guard(kinds, ranges, any(guard.is_anyone for guard in guards))


def _principal(principal: object, shape: RouteShape, depth: int) -> _Guard:
    if not isinstance(principal, dict) or depth > _MAX_DEPTH:
        return _Guard()
    if principal.get("any") is True:
        return _Guard(is_anyone=True)
    for key in _IP_KEYS:
        if key in principal:
            shown = _cidr(principal[key])
            if shown is None:
                return _Guard()
            spoofable = key == "remote_ip" and shape.trusts_forwarded_for
            return _Guard(frozenset({"forwarded_ip" if spoofable else "ip"}), (shown,))
    if isinstance(principal.get("authenticated"), dict):
        return _Guard(frozenset({"mtls"}))
    metadata = principal.get("metadata")
    if isinstance(metadata, dict):
        return _Guard(frozenset({"claims" if metadata.get("filter") == _JWT_FILTER else "metadata"}))
    if isinstance(principal.get("header"), dict):
        return _Guard(frozenset({"header"}))
    for key, is_all in (("and_ids", True), ("or_ids", False)):
        group = principal.get(key)
        ids = group.get("ids") if isinstance(group, dict) else None
        if isinstance(ids, list) and ids:
            members = [_principal(item, shape, depth + 1) for item in ids]
            sets = [member.kinds for member in members]
            kinds = frozenset.union(*sets) if is_all else frozenset.intersection(*sets)
            anyone = (all if is_all else any)(member.is_anyone for member in members)
            return _Guard(kinds, tuple(item for member in members for item in member.ranges), anyone)
    return _Guard()  # not_id, url_path, filter_state ...: demands nothing sure of the caller


def _cidr(value: object) -> str | None:
    """A `CidrRange` as `10.0.0.0/8`; None when it admits every address (`/0`, the default) or is bad."""
    if not isinstance(value, dict) or not isinstance(value.get("address_prefix"), str):
        return None
    length = value.get("prefix_len", 0)
    if isinstance(length, dict):
        length = length.get("value", 0)
    if not isinstance(length, int) or isinstance(length, bool) or not 0 < length <= 128:
        return None
    try:
        network = ipaddress.ip_network(f"{value['address_prefix']}/{length}", strict=False)
    except ValueError:
        return None
    return str(network)


def _policy_coverage(policy: dict[str, object], shape: RouteShape) -> str:
    permissions = policy.get("permissions")
    found = [_permission(item, shape, 0) for item in permissions] if isinstance(permissions, list) else []
    return _any_of(found) if found else _NONE


def _permission(permission: object, shape: RouteShape, depth: int) -> str:
    """Whether a permission selects all, part or none of the route's requests (`part` when unsure)."""
    if not isinstance(permission, dict) or depth > _MAX_DEPTH:
        return _PART
    if permission.get("any") is True:
        return _WHOLE
    url_path = permission.get("url_path")
    if isinstance(url_path, dict):
        return _path(url_path.get("path"), shape, is_whole_allowed=True)
    header = permission.get("header")
    if isinstance(header, dict):
        return _header(header, shape)
    for key, combine in (("and_rules", _all_of), ("or_rules", _any_of)):
        group = permission.get(key)
        rules = group.get("rules") if isinstance(group, dict) else None
        if isinstance(rules, list) and rules:
            return combine([_permission(item, shape, depth + 1) for item in rules])
    if "not_rule" in permission:
        inner = _permission(permission["not_rule"], shape, depth + 1)
        return {_WHOLE: _NONE, _NONE: _WHOLE}.get(inner, _PART)
    return _PART


def _path(matcher: object, shape: RouteShape, is_whole_allowed: bool) -> str:
    """A StringMatcher on the path, compared with the route's uris (case-insensitive ones: `part`)."""
    if not isinstance(matcher, dict) or matcher.get("ignore_case") is True:
        return _PART
    for key, match_key in (("exact", "path"), ("prefix", "prefix")):
        if isinstance(matcher.get(key), str):
            found = match_coverage({match_key: matcher[key]}, shape.uris)
            return _PART if found == _WHOLE and not is_whole_allowed else found
    return _PART


def _header(header: dict[str, object], shape: RouteShape) -> str:
    name = str(header.get("name", "")).lower()
    if header.get("invert_match") is True:
        return _PART
    string_match = header.get("string_match")
    forms = dict(string_match) if isinstance(string_match, dict) else {}
    for legacy, modern in (("exact_match", "exact"), ("prefix_match", "prefix")):
        if legacy in header:
            forms[modern] = header[legacy]
    if name == ":path":  # the path with its query string: never the whole route
        return _path(forms, shape, is_whole_allowed=False)
    if name == ":method" and isinstance(forms.get("exact"), str) and shape.methods:
        method = str(forms["exact"]).upper()
        if method not in shape.methods:
            return _NONE
        return _WHOLE if shape.methods == (method,) else _PART
    return _PART


def _all_of(found: list[str]) -> str:
    if _NONE in found:
        return _NONE
    return _WHOLE if all(item == _WHOLE for item in found) else _PART


def _any_of(found: list[str]) -> str:
    if _WHOLE in found:
        return _WHOLE
    return _NONE if all(item == _NONE for item in found) else _PART
