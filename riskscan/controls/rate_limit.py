"""Rate limiting and resource consumption (OWASP API4:2023), endpoint by endpoint.

What each input can show, strongest first (the evidence level of each endpoint's result):
- enforced: a gateway config shows the limits in force on the routes serving it, which plugin and
  keyed by what (`RateLimitPosture.keying`). Per consumer, credential or partner header is graded
  above per client address (evaded by rotating addresses; a finding only where callers authenticate,
  since an anonymous caller has nothing else to count by); a shared counter alone is weak (one caller
  exhausts everyone's quota and nobody in particular is bounded); limits so high they never bind
  (absurd values, or far above the busiest client's minute) protect nothing.
- observed: 429 answers in traffic show a limit at work where no gateway config shows the route; and
  a client above what a configured limit lets through in a clock minute, with no rejection in the
  whole log, shows a limit declared but not enforced as configured (`rate_limit_checks`).
- declared: a spec's x-ratelimit extension, 429 response or rate-limit headers only.
List endpoints in specs (a GET answering an array, or taking a page size) are checked for a page size
with a `maximum` and for paging at all. Unknown when no endpoint has any of this evidence, and, without a
gateway config, unless every reachable endpoint answered 429 or declares a limit (else partial at best).
"""

from __future__ import annotations

from collections.abc import Iterable

from riskscan.controls.auth import is_anonymous
from riskscan.controls.catalogue import Control
from riskscan.controls.outcome import (
    ControlOutcome,
    FindingDraft,
    draft_finding,
    key_count,
    known_outcome,
    plural,
    reachable_endpoints,
    short_of_core,
    unknown_outcome,
)
from riskscan.controls.rate_limit_checks import (
    bounds_page_size,
    has_paging,
    is_list_endpoint,
    minute_text,
    never_binds,
    overrun,
    page_size_parameters,
    window_text,
)
from riskscan.model import Endpoint, Evidence, EvidenceStrength, Inventory, RateLimitKeying

__all__ = ["evaluate_rate_limit"]


def evaluate_rate_limit(inventory: Inventory, control: Control) -> ControlOutcome:
    """Judge throttling, its keying and sizing, its enforcement in traffic and list paging."""
    reachable = reachable_endpoints(inventory)
    routed = [e for e in reachable if e.rate_limit.enforced is not None]
    observed = [e for e in reachable if e.rate_limit.enforced is None and e.traffic and e.traffic.throttled]
    seen_429 = {id(e) for e in observed}
    declared = [e for e in reachable if e.rate_limit.enforced is None and id(e) not in seen_429
                and e.rate_limit.declared is not None]
    sizes = control.words("page_size_names")
    lists = [e for e in reachable if is_list_endpoint(e, sizes)]
    judged = _union(routed, observed, declared, lists)
    if not judged:
        return unknown_outcome(control, "unrouted" if inventory.has_gateway else "no_gateway")
    unlimited = [e for e in routed if e.rate_limit.enforced is False]
    limited = [e for e in routed if e.rate_limit.enforced]
    drafts = [*_missing_drafts(control, unlimited), *_grading_drafts(control, limited),
              *_paging_drafts(control, lists, sizes)]
    outcome = known_outcome(
        control, judged, drafts, strength=_strength,
        limitations=_limitations(control, inventory, reachable, routed, declared),
        evidence=[item for e in limited for item in e.rate_limit.evidence]
        + [item for e in declared if (item := e.rate_limit.declared) is not None],
        routing=_routing_text(routed, limited, unlimited),
        beyond=_beyond_text(key_count(observed), key_count(declared), key_count(lists)),
    )
    # Without a gateway config, 429s and declarations show a limit where they were seen, nowhere else.
    if inventory.has_gateway or {e.key for e in reachable} <= {e.key for e in observed + declared}:
        return outcome
    return short_of_core(outcome, "no_gateway")


def _missing_drafts(control: Control, unlimited: list[Endpoint]) -> list[FindingDraft]:
    anonymous = [e for e in unlimited if is_anonymous(e)]
    others = [e for e in unlimited if not is_anonymous(e)]
    return [draft_finding(control, code, group,
                          [item for e in group for item in (*e.rate_limit.evidence, *e.evidence)])
            for code, group in (("RATE_NONE_ANONYMOUS", anonymous), ("RATE_NONE", others)) if group]


def _grading_drafts(control: Control, limited: list[Endpoint]) -> list[FindingDraft]:
    """Limits not enforced as configured, never binding, shared only, or per address only."""
    factor, absurd = control.number("never_binds_factor"), control.number("absurd_per_minute")
    floor = control.number("never_binds_floor_per_minute")
    overruns = [(e, found) for e in limited if (found := overrun(e)) is not None]
    drafts = []
    if overruns:
        group = [e for e, _ in overruns]
        texts = "; ".join(
            f"{e.key}: one client made {o.peak} requests in {minute_text(o.minute)} against "
            f"{o.policy.plugin} {window_text(o.policy)} (at most {o.allowed:g} in any minute)"
            for e, o in overruns)
        drafts.append(draft_finding(control, "RATE_NOT_ENFORCED", group, _evidence(group), overruns=texts))
    groups: dict[str, list[Endpoint]] = {
        "RATE_NEVER_BINDS": [e for e in limited if never_binds(e, factor, absurd, floor)],
        "RATE_SHARED_ONLY": [e for e in limited if e.rate_limit.keying is RateLimitKeying.SHARED],
        "RATE_ADDRESS_ONLY": [e for e in limited if e.rate_limit.keying is RateLimitKeying.ADDRESS
                              and e.auth.is_known and not is_anonymous(e)],
    }
    drafts += [draft_finding(control, code, group, _evidence(group), limits=_limits(group),
                             factor=f"{factor:g}", absurd=f"{absurd:,.0f}", floor=f"{floor:,.0f}")
               for code, group in groups.items() if group]
    return drafts


def _paging_drafts(control: Control, lists: list[Endpoint], sizes: frozenset[str]) -> list[FindingDraft]:
    """List endpoints whose page size has no maximum, and collections with no paging at all."""
    paging = sizes | control.words("paging_names")
    unbounded = [e for e in lists if any(not bounds_page_size(p) for p in page_size_parameters(e, sizes))]
    unpaged = [e for e in lists if e.returns_collection and not has_paging(e, paging)]
    names = sorted({p.name for e in unbounded for p in page_size_parameters(e, sizes)
                    if not bounds_page_size(p)})
    return [draft_finding(control, code, group, [item for e in group for item in e.evidence[:1]],
                          names=", ".join(names[:6]))
            for code, group in (("RATE_PAGE_UNBOUNDED", unbounded), ("RATE_NO_PAGING", unpaged)) if group]


def _limitations(control: Control, inventory: Inventory, reachable: list[Endpoint], routed: list[Endpoint],
                 declared: list[Endpoint]) -> list[str]:
    keys = ["capacity", "elsewhere"] if routed else []
    if not inventory.has_gateway:
        keys.append("no_gateway")
    elif len(routed) < len(reachable):
        keys.append("unrouted")
    if declared:
        keys.append("declared_only")
    if not inventory.has_traffic:
        keys.append("no_traffic")
    return [control.limitation(key) for key in keys]


def _strength(endpoint: Endpoint) -> EvidenceStrength:
    if endpoint.rate_limit.enforced is not None:
        return EvidenceStrength.ENFORCED
    if endpoint.traffic is not None and endpoint.traffic.throttled:
        return EvidenceStrength.OBSERVED
    return EvidenceStrength.DECLARED


def _keyed_text(limited: list[Endpoint]) -> str:
    """` (2 per consumer or credential, 1 per client address)`: how the limits count, zeros left out."""
    words = {RateLimitKeying.CLIENT: "per consumer or credential",
             RateLimitKeying.ADDRESS: "per client address",
             RateLimitKeying.SHARED: "by a counter shared by all callers"}
    counts = [(key_count(e for e in limited if e.rate_limit.keying is keying), text)
              for keying, text in words.items()]
    parts = [f"{count} {text}" for count, text in counts if count]
    return f" ({', '.join(parts)})" if parts else ""


def _routing_text(routed: list[Endpoint], limited: list[Endpoint], unlimited: list[Endpoint]) -> str:
    """What the gateway configs show: how many routed endpoints are limited, keyed by what, and how many
    are not (anonymous ones counted); a plain statement when no config routes any endpoint."""
    if not routed:
        return "No gateway config given routes any endpoint."
    anonymous = key_count(e for e in unlimited if is_anonymous(e))
    return (f"{key_count(limited)} of {key_count(routed)} routed endpoints are rate limited{_keyed_text(limited)};"
            f" {key_count(unlimited)} are not, {anonymous} of them open to anonymous callers.")


def _beyond_text(observed: int, declared: int, lists: int) -> str:
    """What traffic and specs add beyond the gateway, as sentences; empty when they add nothing."""
    parts = [f"{plural(observed, 'endpoint')} not shown by a gateway answered 429 in traffic"
             if observed else "",
             f"{declared} only as declared in specs" if declared else "",
             f"{plural(lists, 'list endpoint')} checked for bounded page sizes" if lists else ""]
    text = "; ".join(part for part in parts if part)
    return f" Beyond the gateway: {text}." if text else ""


def _limits(endpoints: list[Endpoint]) -> str:
    """`GET /v1/quotes: limit-count by constant (...) (100000000/60s)`, a few endpoints' limits."""
    return "; ".join(f"{e.key}: {', '.join(e.rate_limit.by) or 'a limit'}" for e in endpoints[:5]) + (
        f"; and {len(endpoints) - 5} more" if len(endpoints) > 5 else "")


def _union(*groups: list[Endpoint]) -> list[Endpoint]:
    seen: dict[tuple[str, str], Endpoint] = {}
    for group in groups:
        for endpoint in group:
            seen.setdefault((endpoint.key, endpoint.host or ""), endpoint)
    return list(seen.values())


def _evidence(endpoints: Iterable[Endpoint]) -> list[Evidence]:
    """Where the limits (or the unthrottled routes) are defined, and the traffic that shows them."""
    found: list[Evidence] = []
    for e in endpoints:
        found.extend((*e.rate_limit.evidence, *e.evidence[:2]))
        if e.traffic is not None:
            found.extend(e.traffic.evidence)
    return found

