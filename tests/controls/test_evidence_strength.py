"""The grade never claims more than the evidence: each control states what it rests on, controls the
inputs cannot show count against the score, and declarations alone never earn an A or a B."""

from __future__ import annotations

from collections.abc import Callable

from riskscan.controls import evaluate_controls
from riskscan.controls.catalogue import default_catalogue
from riskscan.model import (
    AuthKind,
    AuthPosture,
    ControlResult,
    Endpoint,
    EvidenceStrength,
    Grade,
    Inventory,
    RateLimitPosture,
    SightingSource,
)

EndpointFactory = Callable[..., Endpoint]
ENFORCED, OBSERVED = EvidenceStrength.ENFORCED, EvidenceStrength.OBSERVED
DECLARED, NOT_OBSERVABLE = EvidenceStrength.DECLARED, EvidenceStrength.NOT_OBSERVABLE
SPEC_OIDC = AuthPosture(effective=AuthKind.OIDC, declared=(AuthKind.OIDC,),
                        enforced_by="spec (declared, not verified)")


def by_id(results: tuple[ControlResult, ...]) -> dict[str, ControlResult]:
    return {result.id: result for result in results}


def spec_only_estate(endpoint: EndpointFactory) -> Inventory:
    """Four claims operations a spec declares behind OpenID Connect; nothing else was given."""
    endpoints = [
        endpoint(method, path, sources=(SightingSource.SPEC,), route_ids=(), auth=SPEC_OIDC,
                 rate_limit=RateLimitPosture(enforced=None), loggers=(), monitors=(), is_logged=None,
                 traffic=None)
        for method, path in (("GET", "/v2/claims"), ("POST", "/v2/claims"), ("GET", "/v2/claims/{claimId}"),
                             ("GET", "/v2/policies/{policyNumber}/documents"))
    ]
    return Inventory(endpoints=tuple(endpoints), has_specs=True, has_gateway=False, has_traffic=False)


def test_a_spec_only_estate_rests_on_declarations_and_gets_no_a_or_b(endpoint: EndpointFactory) -> None:
    evaluation = evaluate_controls(spec_only_estate(endpoint))
    results = by_id(evaluation.controls)
    assert (results["auth"].evidence_strength, results["auth"].evidence_breakdown[DECLARED]) == (DECLARED, 4)
    assert results["object_authorization"].evidence_strength is DECLARED
    for control_id in ("rate_limit", "monitoring", "inventory_hygiene"):
        assert results[control_id].evidence_strength is NOT_OBSERVABLE
        assert sum(results[control_id].evidence_breakdown.values()) == 0
    basis = evaluation.basis
    assert basis.evidence_strength is DECLARED
    assert basis.statement == "declared in specs only: not verified by gateway configuration or traffic"
    # Without a gateway config nothing shows throttling, logging, lifecycles, secrets or upstreams; nor,
    # with no admin path in the specs, whether undocumented administrative functions are reachable.
    assert basis.unknown_controls == ("rate_limit", "monitoring", "inventory_hygiene", "function_authorization",
                                      "secrets_hygiene", "third_party", "transport_security", "availability",
                                      "credential_stuffing")
    assert evaluation.grade not in (Grade.A, Grade.B)
    # the passing controls at their weights, the three unknown ones at 0
    passing = sum(c.weight for c in evaluation.controls if c.score == 100)
    assert evaluation.score == round(100 * passing / sum(c.weight for c in evaluation.controls))


def test_a_full_estate_rests_on_gateway_config_and_traffic(insurer: Inventory) -> None:
    evaluation = evaluate_controls(insurer)
    results = by_id(evaluation.controls)
    for control_id in ("rate_limit", "monitoring", "inventory_hygiene"):
        assert results[control_id].evidence_strength is ENFORCED, control_id
    # One legacy claims route lets requests through to a backend that only the spec says checks OAuth:
    # one endpoint of nine is a material share of the control, which therefore claims no more than that.
    auth = results["auth"]
    assert (auth.evidence_breakdown[ENFORCED], auth.evidence_breakdown[DECLARED]) == (8, 1)
    assert auth.evidence_strength is DECLARED
    # Id walking on the customer documents and on the v2 policies was seen in traffic.
    assert results["object_authorization"].evidence_breakdown[OBSERVED] == 2
    # Overall, that endpoint is a ninth of the authentication weight: the grade rests on the gateway
    # config and on traffic (secrets in URLs, id walking), never on declarations.
    assert evaluation.basis.evidence_strength in (ENFORCED, OBSERVED)  # gateway config and traffic
    assert not evaluation.basis.unknown_controls


def test_controls_the_inputs_cannot_show_lower_the_score(endpoint: EndpointFactory) -> None:
    """The same well-run estate, once with its gateway showing throttling and logging, once not."""
    known = [endpoint("GET", f"/v2/claims/{{claimId}}/item{n}") for n in range(10)]
    unseen = [e.model_copy(update={"rate_limit": RateLimitPosture(enforced=None), "is_logged": None,
                                   "loggers": (), "monitors": ()}) for e in known]
    full = evaluate_controls(Inventory(endpoints=tuple(known), has_specs=True, has_gateway=True,
                                       has_traffic=True, secrets_checked=("gateway/apisix.yaml",)))
    partial = evaluate_controls(Inventory(endpoints=tuple(unseen), has_specs=True, has_gateway=True,
                                          has_traffic=True, secrets_checked=("gateway/apisix.yaml",)))
    assert (full.score, full.grade) == (100, Grade.A)
    assert partial.basis.unknown_controls == ("rate_limit", "monitoring")
    unknown_weight = sum(c.weight for c in partial.controls if c.score is None)
    assert partial.score == round(100 * (1 - unknown_weight / sum(c.weight for c in partial.controls)))
    assert partial.score < full.score and partial.grade is not Grade.A


def test_declared_authentication_behind_an_open_gateway_caps_the_grade_at_c(endpoint: EndpointFactory) -> None:
    """Throttled and logged at the gateway, but authentication only declared: the score alone gives A or B."""
    endpoints = [endpoint("GET", f"/v2/claims/{{claimId}}/item{n}", auth=SPEC_OIDC) for n in range(10)]
    evaluation = evaluate_controls(Inventory(endpoints=tuple(endpoints), has_specs=True, has_gateway=True,
                                             has_traffic=True))
    uncapped = default_catalogue().scoring.grade_for(evaluation.score)
    assert uncapped in (Grade.A, Grade.B)
    assert evaluation.basis.evidence_strength is DECLARED
    assert evaluation.grade is Grade.C
    assert evaluation.basis.caps == (
        f"Capped at C (the score alone gives {uncapped.value}): the evidence is declared in specs only: "
        "not verified by gateway configuration or traffic.",
    )


def test_a_small_weaker_share_is_counted_but_a_material_one_sets_the_level(endpoint: EndpointFactory) -> None:
    def auth_evidence(declared: int) -> ControlResult:
        endpoints = [endpoint("GET", f"/v2/claims/{{claimId}}/item{n}") for n in range(20)]
        endpoints[:declared] = [e.model_copy(update={"auth": SPEC_OIDC}) for e in endpoints[:declared]]
        inventory = Inventory(endpoints=tuple(endpoints), has_specs=True, has_gateway=True, has_traffic=True)
        return by_id(evaluate_controls(inventory).controls)["auth"]

    one = auth_evidence(1)  # 5%: below the catalogue's material share of 10%
    assert one.evidence_strength is ENFORCED
    assert (one.evidence_breakdown[ENFORCED], one.evidence_breakdown[DECLARED]) == (19, 1)
    assert auth_evidence(2).evidence_strength is DECLARED  # 10%: material


def test_an_evidence_cap_holds_for_every_weaker_level() -> None:
    rules = default_catalogue().scoring
    assert [rules.evidence_cap(level) for level in EvidenceStrength] == [None, None, Grade.C, Grade.C]


def test_a_pass_because_nothing_takes_an_object_id_rests_on_what_shows_the_paths(
    endpoint: EndpointFactory,
) -> None:
    # No path parameter anywhere: object-level authorization passes, but only on the spec's word.
    inventory = spec_only_estate(endpoint)
    flat = [e.model_copy(update={"path": e.path.split("/{")[0] + "/all"}) for e in inventory.endpoints]
    results = by_id(evaluate_controls(inventory.model_copy(update={"endpoints": tuple(flat)})).controls)
    bola = results["object_authorization"]
    assert bola.score == 100
    assert bola.evidence_strength is DECLARED
    assert bola.evidence_breakdown[DECLARED] == len({e.key for e in flat})
