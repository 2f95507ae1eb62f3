"""Coverage statements: beside each control score and the grade, how much the inputs could show (the
traffic window, the share of requests the specs document, the endpoints and routes judged with
evidence, the evidence level and the input kinds not given)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from riskscan.controls import ControlEvaluation, evaluate_controls
from riskscan.controls.catalogue import default_catalogue
from riskscan.model import (
    EvidenceCoverage,
    EvidenceStrength,
    InputFamily,
    Inventory,
    RateLimitPosture,
    SightingSource,
)

EndpointFactory = Callable[..., object]


def coverage(evaluation: ControlEvaluation, control_id: str) -> EvidenceCoverage:
    found = next(c.coverage for c in evaluation.controls if c.id == control_id)
    assert found is not None
    return found


def test_every_control_names_the_inputs_that_can_show_it() -> None:
    catalogue = default_catalogue()
    assert set(catalogue.scoring.control_inputs) == {control.id for control in catalogue.controls}
    assert catalogue.scoring.control_inputs["monitoring"] == (InputFamily.GATEWAYS,)
    assert catalogue.scoring.control_inputs["rate_limit"] == tuple(InputFamily)  # limits, 429s, declarations
    assert catalogue.scoring.inputs_for("a_new_control") == tuple(InputFamily)  # never left unsaid


def test_with_every_input_the_statement_gives_the_window_and_the_documented_share(insurer: Inventory) -> None:
    evaluation = evaluate_controls(insurer)
    auth = coverage(evaluation, "auth")
    assert auth.traffic is not None
    assert (auth.traffic.first_seen, auth.traffic.last_seen) == (datetime(2026, 11, 9, tzinfo=UTC),
                                                                datetime(2026, 11, 15, 23, tzinfo=UTC))
    assert auth.traffic.days == 7.0  # 6 days 23 hours
    # 9,027 requests; the two shadow endpoints (/internal/export 35, partners' statements 60) are in no spec.
    assert (auth.traffic.requests, auth.traffic.documented_requests) == (9027, 8932)
    assert auth.traffic.documented_share == 0.9895
    # Every endpoint but the orphan DELETE /v2/quotes/{quoteId}; all eight routes serve a judged one.
    assert (auth.endpoints_judged, auth.endpoints_total, auth.endpoint_share) == (9, 10, 0.9)
    assert (auth.routes_judged, auth.routes_total, auth.route_share) == (8, 8, 1.0)
    assert auth.missing_inputs == ()
    assert auth.evidence_strength is next(c.evidence_strength for c in evaluation.controls if c.id == "auth")


def test_a_control_that_cannot_use_traffic_states_no_window(insurer: Inventory) -> None:
    monitoring = coverage(evaluate_controls(insurer), "monitoring")
    assert monitoring.traffic is None
    assert monitoring.evidence_strength is EvidenceStrength.ENFORCED


def test_without_traffic_the_window_is_absent_and_traffic_is_named_missing(insurer: Inventory) -> None:
    quiet = tuple(e.model_copy(update={"traffic": None, "sources": tuple(
        s for s in e.sources if s is not SightingSource.TRAFFIC)}) for e in insurer.endpoints)
    evaluation = evaluate_controls(insurer.model_copy(update={"endpoints": quiet, "has_traffic": False}))
    auth = coverage(evaluation, "auth")
    assert auth.traffic is None
    assert auth.missing_inputs == (InputFamily.TRAFFIC,)
    assert coverage(evaluation, "monitoring").missing_inputs == ()  # a gateway config is all it reads
    assert evaluation.basis.coverage is not None
    assert evaluation.basis.coverage.missing_inputs == (InputFamily.TRAFFIC,)
    assert evaluation.basis.coverage.traffic is None


def test_a_spec_alone_leaves_gateway_controls_unshown_and_says_which_input_is_missing(
    endpoint: EndpointFactory,
) -> None:
    documented = [endpoint("GET", f"/v2/claims/item{n}", sources=(SightingSource.SPEC,), route_ids=(),
                           rate_limit=RateLimitPosture(enforced=None), loggers=(), is_logged=None, upstreams=(),
                           cors=None, traffic=None)
                  for n in range(4)]
    inventory = Inventory(endpoints=tuple(documented), has_specs=True, has_gateway=False, has_traffic=False)
    evaluation = evaluate_controls(inventory)
    monitoring = coverage(evaluation, "monitoring")
    assert (monitoring.endpoints_judged, monitoring.endpoints_total) == (0, 4)
    assert (monitoring.routes_judged, monitoring.routes_total, monitoring.route_share) == (None, None, None)
    assert monitoring.evidence_strength is EvidenceStrength.NOT_OBSERVABLE
    assert monitoring.missing_inputs == (InputFamily.GATEWAYS,)
    assert coverage(evaluation, "rate_limit").missing_inputs == (InputFamily.GATEWAYS, InputFamily.TRAFFIC)
    assert coverage(evaluation, "auth").missing_inputs == (InputFamily.GATEWAYS, InputFamily.TRAFFIC)
    assert coverage(evaluation, "auth").endpoints_judged == 4  # declared, but evidence all the same
    overall = evaluation.basis.coverage
    assert overall is not None
    assert overall.missing_inputs == (InputFamily.GATEWAYS, InputFamily.TRAFFIC)
    assert (overall.endpoints_judged, overall.endpoints_total) == (4, 4)
    assert overall.evidence_strength is evaluation.basis.evidence_strength


def test_gateway_and_traffic_without_specs_name_specs_for_data_exposure(insurer: Inventory) -> None:
    undocumented = tuple(e.model_copy(update={"sources": tuple(
        s for s in e.sources if s is not SightingSource.SPEC), "has_schemas": False}) for e in insurer.endpoints
        if e.traffic is not None)
    evaluation = evaluate_controls(insurer.model_copy(update={"endpoints": undocumented, "has_specs": False}))
    data = coverage(evaluation, "data_exposure")
    assert data.missing_inputs == (InputFamily.SPECS,)
    assert data.traffic is not None and data.traffic.documented_share == 0.0  # no request reached a spec's endpoint


def test_timestamps_absent_from_the_logs_leave_the_window_open(insurer: Inventory) -> None:
    untimed = tuple(e.model_copy(update={"traffic": e.traffic.model_copy(update={
        "first_seen": None, "last_seen": None})}) if e.traffic else e for e in insurer.endpoints)
    auth = coverage(evaluate_controls(insurer.model_copy(update={"endpoints": untimed})), "auth")
    assert auth.traffic is not None
    assert (auth.traffic.first_seen, auth.traffic.days, auth.traffic.requests) == (None, None, 9027)


def test_logs_with_and_without_offsets_share_one_window(insurer: Inventory) -> None:
    naive = datetime(2026, 11, 8, 22, 0)  # a log without offsets: taken as UTC
    mixed = tuple(e.model_copy(update={"traffic": e.traffic.model_copy(update={"first_seen": naive})})
                  if e.key == "GET /health" and e.traffic else e for e in insurer.endpoints)
    auth = coverage(evaluate_controls(insurer.model_copy(update={"endpoints": mixed})), "auth")
    assert auth.traffic is not None
    assert auth.traffic.first_seen == datetime(2026, 11, 8, 22, 0, tzinfo=UTC)
    assert auth.traffic.days == 7.0
