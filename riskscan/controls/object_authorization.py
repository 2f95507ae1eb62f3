"""Object-level authorization exposure (OWASP API1:2023, BOLA).

An endpoint that takes an object id in its path lets a caller change the id; without strong,
per-caller authentication the backend has nobody to check ownership against. Traffic in which one
client calls many distinct objects of one endpoint shows id walking: at least `id_walk_min_objects`,
and an extreme outlier against the 99th percentile of the endpoint's other clients
(`id_walk_outlier_factor`, higher with strong authentication), or a sequential run of ids well above
it, so that a scraper is found on an endpoint thousands of partners call and a partner syncing its
own book is not taken for a walker. Whether the backend checks ownership is never visible in these inputs,
which the limitations say. Endpoints without strong authentication are weighed by how guessable
their ids are (`Endpoint.id_guessability`: the spec's id types, the span of numeric ids in traffic):
sequential ids on endpoints carrying sensitive data are the worst case (critical); UUIDs lower the
severity (medium) but never clear it, since UUIDs leak through URLs, logs and shared links. Access
logs alone do not show authentication, so without a spec or a gateway config the control is unknown.
An endpoint's result rests on traffic (`observed`) when id walking was seen on it, else on what
shows its authentication (`enforced` or `declared`): traffic without walking does not make a spec's
declaration any stronger.
"""

from __future__ import annotations

from dataclasses import replace

from riskscan.controls.auth import auth_evidence, auth_is_known, describe_auth, is_anonymous, path_parameters
from riskscan.controls.catalogue import Control
from riskscan.controls.evidence import auth_strength, sighting_strength
from riskscan.controls.outcome import (
    ControlOutcome,
    FindingDraft,
    draft_finding,
    key_count,
    known_outcome,
    plural,
    reachable_endpoints,
    unknown_outcome,
    weakest_per_key,
)
from riskscan.model import Endpoint, EvidenceStrength, IdGuessability, Inventory, TrafficStats

__all__ = ["evaluate_object_authorization"]


def evaluate_object_authorization(inventory: Inventory, control: Control) -> ControlOutcome:
    """Judge BOLA exposure on every reachable endpoint that takes a path parameter."""
    if not auth_is_known(inventory):
        return unknown_outcome(control, "no_auth_inputs")
    reachable = reachable_endpoints(inventory)
    if not reachable:
        return unknown_outcome(control, "no_endpoints")
    threshold = int(control.number("id_walk_min_objects"))
    taking_ids = [e for e in reachable if path_parameters(e)]
    with_ids = [e for e in taking_ids if e.auth.is_known]
    if taking_ids and not with_ids:
        return unknown_outcome(control, "not_shown")
    weak = [e for e in with_ids if _is_weak(e)]
    walked = [(e, t) for e in with_ids if (t := e.traffic) and _is_walked(e, t, control)]
    drafts = _walk_drafts(control, walked, threshold)
    drafts += _weak_drafts(control, weak)
    strong = key_count(with_ids) - key_count(weak)
    walked_keys = {e.key for e, _ in walked}
    limitations = [control.limitation("ownership")]
    if strong:
        limitations.append(control.limitation("residual", count=strong))
    if not inventory.has_traffic:
        limitations.append(control.limitation("no_traffic"))
    if key_count(taking_ids) > key_count(with_ids):
        limitations.append(control.limitation("some_not_shown", count=key_count(taking_ids) - key_count(with_ids)))
    outcome = known_outcome(
        control,
        with_ids,
        drafts,
        strength=lambda e: EvidenceStrength.OBSERVED if e.key in walked_keys else auth_strength(e),
        limitations=limitations,
        evidence=auth_evidence(e for e in with_ids if not _is_weak(e)),
        protected=strong,
        weak=key_count(weak),
        walked=key_count(e for e, _ in walked),
        threshold=threshold,
        sequential=key_count(e for e in with_ids if e.id_guessability is IdGuessability.SEQUENTIAL),
        unguessable=key_count(e for e in with_ids if e.id_guessability is IdGuessability.UNGUESSABLE),
    )
    if with_ids:
        return outcome
    # Nothing takes an object id: that conclusion is only as strong as what shows the endpoints' paths.
    return replace(outcome, strengths=weakest_per_key(reachable, sighting_strength))


def _weak_drafts(control: Control, weak: list[Endpoint]) -> list[FindingDraft]:
    """Object ids without strong authentication, weighed by how guessable they are: sequential ids on
    endpoints carrying sensitive data are the worst case; UUIDs lower the severity, never clear it."""
    worst = [e for e in weak if e.id_guessability is IdGuessability.SEQUENTIAL and e.data_classes]
    uuids = [e for e in weak if e.id_guessability is IdGuessability.UNGUESSABLE]
    taken = {id(e) for e in (*worst, *uuids)}
    rest = [e for e in weak if id(e) not in taken]
    groups = (("BOLA_SEQUENTIAL_SENSITIVE", worst), ("BOLA_WEAK_AUTH", rest), ("BOLA_WEAK_AUTH_UUID", uuids))
    return [draft_finding(control, code, group, auth_evidence(group), ids=_ids_text(group),
                          kinds=describe_auth(e.auth.effective for e in group),
                          data=", ".join(sorted({c.value for e in group for c in e.data_classes})) or "none")
            for code, group in groups if group]


def _ids_text(endpoints: list[Endpoint]) -> str:
    """`GET /v2/claims/{claimId}: sequential (claimId is declared integer (int64))`, a few endpoints."""
    texts = [f"{e.key}: {(e.id_guessability or IdGuessability.UNKNOWN).value} "
             f"({e.id_guessability_reason or 'no id'})" for e in endpoints[:6]]
    return "; ".join(texts) + (f"; and {len(endpoints) - 6} more" if len(endpoints) > 6 else "")


def _is_weak(endpoint: Endpoint) -> bool:
    return is_anonymous(endpoint) or not endpoint.auth.effective.is_strong


def _is_walked(endpoint: Endpoint, traffic: TrafficStats, control: Control) -> bool:
    """The busiest client reached `id_walk_min_objects` and stands out from the endpoint's other
    clients: an extreme outlier against the 99th percentile of their distinct objects, or a run of
    sequential ids well above it. Never a share of the total, which a scraper on an endpoint thousands
    of partners call never reaches. Stats built without per-client figures fall back to the share
    of all objects (`id_walk_min_share`)."""
    busiest = traffic.max_paths_per_client
    if busiest < control.number("id_walk_min_objects"):
        return False
    weak = _is_weak(endpoint)
    peers = traffic.others_p99_paths_per_client
    if peers is None:
        share = control.number("id_walk_min_share" if weak else "id_walk_authenticated_min_share")
        return busiest >= share * traffic.distinct_paths
    factor = control.number("id_walk_outlier_factor" if weak else "id_walk_authenticated_outlier_factor")
    # A sequential run, or a machine-like rate, needs less distance from the other clients.
    near = busiest >= control.number("id_walk_sequential_factor") * max(peers, 1)
    rate = traffic.busiest_rate_per_minute
    machine = rate is not None and rate >= control.number("id_walk_machine_rate_per_minute")
    return busiest >= factor * max(peers, 1) or (near and (traffic.is_walk_sequential or machine))


def _walk_drafts(
    control: Control, walked: list[tuple[Endpoint, TrafficStats]], threshold: int
) -> list[FindingDraft]:
    """One finding per cause: walks without strong authentication (critical) and walks by
    authenticated clients (medium), each listing its endpoints with the figures of each walk."""
    drafts = []
    for code, is_weak in (("BOLA_ID_WALK", True), ("BOLA_ID_WALK_AUTHENTICATED", False)):
        group = [(e, t) for e, t in walked if _is_weak(e) is is_weak]
        if not group:
            continue
        endpoints = [e for e, _ in group]
        evidence = [item for e, t in group for item in (*t.evidence, *auth_evidence([e]))]
        walks = "; ".join(_walk_text(e, t) for e, t in group)
        auth = describe_auth(e.auth.effective for e in endpoints)
        drafts.append(draft_finding(control, code, endpoints, evidence, walks=walks, threshold=threshold,
                                    auth=auth if is_weak else auth[:1].upper() + auth[1:]))
    return drafts


def _walk_text(endpoint: Endpoint, traffic: TrafficStats) -> str:
    """`GET /v2/x/{id}: one client called 180 distinct objects, 8% of the 2400 seen (...)`, then how it
    compares with the other clients, its id span and the window."""
    share = traffic.max_paths_per_client / max(traffic.distinct_paths, 1)
    text = (
        f"{endpoint.key}: one client called {traffic.max_paths_per_client} distinct objects, {share:.0%} of "
        f"the {traffic.distinct_paths} seen in all ({traffic.requests} requests from "
        f"{plural(traffic.clients, 'client')})"
    )
    if traffic.others_p99_paths_per_client is not None and traffic.busiest_client is not None:
        others = traffic.clients - 1
        # The client itself is not named: its opaque id is salted afresh in every scan, so printing it
        # would make the same inputs give a different report each time.
        text += (f"; that client made {traffic.busiest_requests} requests, against at most "
                 f"{traffic.others_p99_paths_per_client} objects for 99% of the {plural(others, 'other client')}")
    if traffic.is_walk_sequential and traffic.busiest_id_span:
        text += f"; its numeric ids run nearly without gaps over a span of {traffic.busiest_id_span}"
    rate = traffic.busiest_rate_per_minute
    if traffic.busiest_window is not None:
        start, end = traffic.busiest_window
        pace = f", {rate:.0f} requests a minute" if rate is not None else ""
        text += f"; it called from {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} UTC{pace}"
    elif traffic.first_seen and traffic.last_seen:
        text += f" ({traffic.first_seen:%Y-%m-%d %H:%M} to {traffic.last_seen:%Y-%m-%d %H:%M} UTC)"
    return text
