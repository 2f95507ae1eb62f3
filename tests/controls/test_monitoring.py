"""Monitoring and audit logging: the monitors each gateway reader reports, under the names it reports
them, count as metrics and correlation ids."""

from __future__ import annotations

from collections.abc import Callable

from riskscan.controls import evaluate_controls
from riskscan.model import ControlResult, ControlStatus, Endpoint, Finding, Inventory

EndpointFactory = Callable[..., Endpoint]


def judge(endpoints: list[Endpoint]) -> tuple[ControlResult, list[Finding]]:
    inventory = Inventory(endpoints=tuple(endpoints), has_specs=True, has_gateway=True, has_traffic=True)
    evaluation = evaluate_controls(inventory)
    result = next(c for c in evaluation.controls if c.id == "monitoring")
    return result, [f for f in evaluation.findings if f.control == "monitoring"]


def test_monitors_as_each_gateway_names_them_count_as_metrics_and_correlation(endpoint: EndpointFactory) -> None:
    """Traefik's static `metrics` and `tracing`, Envoy's `tracing`, Kong's `statsd` and `correlation-id`,
    NGINX Plus `status_zone`, ingress-nginx `opentracing`: what the readers report is what the control
    counts (Traefik routes with Prometheus on were reported without metrics before)."""
    named = [("metrics", "tracing"), ("statsd", "correlation-id"), ("status_zone", "opentracing"),
             ("statsd-advanced", "tracing")]
    endpoints = [endpoint("GET", f"/v2/claims/{{claimId}}/part{n}", monitors=monitors)
                 for n, monitors in enumerate(named)]
    result, findings = judge(endpoints)
    assert findings == [] and result.status is ControlStatus.PASS
    assert "4 export metrics and 4 carry a correlation id" in result.summary


def test_a_logger_alone_is_neither_metrics_nor_correlation(endpoint: EndpointFactory) -> None:
    result, findings = judge([endpoint("GET", "/v2/claims/{claimId}", monitors=())])
    assert sorted(f.code for f in findings) == ["LOG_NO_CORRELATION", "LOG_NO_METRICS"]
    assert result.status is ControlStatus.FAIL  # medium on the one endpoint: a whole failure of it
