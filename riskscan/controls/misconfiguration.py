"""Misconfiguration signals (OWASP API8:2023): permissive CORS, server errors and verbose error bodies.

A CORS policy that allows any origin together with credentials lets any web page a victim visits call
the API as them; any origin without credentials is noted at low severity. From traffic, an endpoint
answering a material share of its requests with 5xx (the catalogue's thresholds) is failing or
misconfigured, and its errors may leak internals; HAR captures show whether they do (error bodies with
stack traces, SQL errors, debug pages or exception class names: kinds and counts only, kept at
ingestion). CORS rests on the gateway configuration (`enforced`, only readers that show CORS: APISIX,
Kong, nginx, Envoy, Traefik, AWS API Gateway), error rates and bodies on traffic (`observed`); without
either the control is unknown. Traffic alone shows symptoms, not the configuration: without a gateway
config showing CORS, a clean result is unknown and findings make it a partial at best.
"""

from __future__ import annotations

from riskscan.controls.catalogue import Control
from riskscan.controls.outcome import (
    ControlOutcome,
    draft_finding,
    key_count,
    known_outcome,
    reachable_endpoints,
    short_of_core,
    unknown_outcome,
)
from riskscan.model import Endpoint, Evidence, EvidenceStrength, Inventory

__all__ = ["evaluate_misconfiguration"]

_LEAK_WORDS = {"stack_trace": "stack traces", "sql_error": "SQL errors",
               "debug_page": "framework debug pages", "exception_class": "exception class names"}


def evaluate_misconfiguration(inventory: Inventory, control: Control) -> ControlOutcome:
    """Judge CORS where the gateway shows it and 5xx rates where traffic shows them."""
    reachable = reachable_endpoints(inventory)
    judged = [e for e in reachable if e.cors is not None or e.traffic is not None]
    if not judged:
        return unknown_outcome(control, "no_inputs" if not reachable else "not_shown")
    minimum, share = int(control.number("error_min_requests")), control.number("error_min_share")
    credentialed = [e for e in judged
                    if any(p.allows_any_origin and p.allows_credentials for p in e.cors or ())]
    flagged = {e.key for e in credentialed}
    any_origin = [e for e in judged
                  if any(p.allows_any_origin for p in e.cors or ()) and e.key not in flagged]
    failing = [e for e in judged if _error_share(e, minimum) >= share]
    leaking = [e for e in judged if e.traffic is not None and e.traffic.verbose_errors]
    groups = {"MISC_CORS_CREDENTIALS": credentialed, "MISC_CORS_ANY_ORIGIN": any_origin,
              "MISC_SERVER_ERRORS": failing, "MISC_VERBOSE_ERRORS": leaking}
    drafts = [draft_finding(control, code, group, _evidence(group, code), share=f"{share:.0%}",
                            minimum=minimum, worst=_worst(group, minimum), **_leak_fields(group))
              for code, group in groups.items() if group]
    bodies_seen = any(e.traffic is not None and (e.traffic.response_fields or e.traffic.verbose_errors)
                      for e in judged)
    limitations = [] if bodies_seen else ["har"]
    limitations += ["no_cors"] if not any(e.cors is not None for e in judged) else []
    limitations += ["no_traffic"] if not inventory.has_traffic else []
    outcome = known_outcome(
        control, judged, drafts,
        strength=lambda e: EvidenceStrength.ENFORCED if e.cors is not None else EvidenceStrength.OBSERVED,
        limitations=[control.limitation(key) for key in limitations],
        evidence=_evidence(judged)[:10],
        cors_shown=key_count(e for e in judged if e.cors is not None),
        permissive=key_count(credentialed + any_origin),
        with_traffic=key_count(e for e in judged if e.traffic),
        failing=key_count(failing), share=f"{share:.0%}",
        verbose=f" Error bodies leaked internals on {key_count(leaking)} of them." if bodies_seen else "",
    )
    # Error rates are symptoms; the configuration itself (CORS) is what a pass rests on.
    return outcome if any(e.cors is not None for e in judged) else short_of_core(outcome, "no_cors")


def _leak_fields(endpoints: list[Endpoint]) -> dict[str, str]:
    """{kinds} and {responses} of the verbose-error finding: `stack_trace, sql_error` and a count."""
    kinds = sorted({kind for e in endpoints if e.traffic for kind in e.traffic.verbose_errors})
    words = ", ".join(_LEAK_WORDS.get(kind, kind.replace("_", " ")) for kind in kinds)
    responses = sum(e.traffic.verbose_error_responses for e in endpoints if e.traffic)
    return {"kinds": words or "nothing", "responses": f"{responses:,}"}


def _error_share(endpoint: Endpoint, minimum: int) -> float:
    """The share of requests answered 5xx, or 0 below `minimum` requests (too few to judge)."""
    traffic = endpoint.traffic
    if traffic is None or traffic.requests < minimum:
        return 0.0
    return traffic.status_classes.get("5xx", 0) / traffic.requests


def _worst(endpoints: list[Endpoint], minimum: int) -> str:
    """`GET /x (12% of 4,210)`: the endpoint with the highest 5xx share, for the detail."""
    rated = [(e, _error_share(e, minimum)) for e in endpoints if e.traffic]
    if not rated:
        return "none"
    endpoint, share = max(rated, key=lambda pair: (pair[1], pair[0].key))
    requests = endpoint.traffic.requests if endpoint.traffic else 0
    return f"{endpoint.key} ({share:.0%} of {requests:,})"


def _evidence(endpoints: list[Endpoint], code: str = "") -> list[Evidence]:
    """The CORS policies (or, without one, the route that shows there is none) and the traffic; for
    verbose errors, the captured entries that leaked."""
    found: list[Evidence] = []
    if code == "MISC_VERBOSE_ERRORS":
        return [item for e in endpoints if e.traffic for item in e.traffic.verbose_error_evidence]
    for e in endpoints:
        if e.cors is not None:
            found.extend([policy.evidence for policy in e.cors] or list(e.evidence[:1]))
        if e.traffic is not None:
            found.extend(e.traffic.evidence)
    return list(dict.fromkeys(found))
