"""Rate limiting in depth: keying, sizing, enforcement seen in traffic, declarations and paging."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from riskscan.controls import evaluate_controls
from riskscan.inventory.rate_keys import keying_of
from riskscan.model import (
    AuthKind,
    AuthPosture,
    ControlResult,
    Endpoint,
    Evidence,
    EvidenceStrength,
    Finding,
    Inventory,
    Parameter,
    ParameterLocation,
    RateLimitKeying,
    RateLimitPolicy,
    RateLimitPosture,
    Severity,
    SightingSource,
    TrafficStats,
)

EndpointFactory = Callable[..., Endpoint]
WHERE = Evidence(path="gateway/apisix.yaml", line=40, pointer="/routes/quotes/plugins/limit-count")
SPEC = Evidence(path="specs/quotes.yaml", line=12, pointer="/paths/~1v1~1quotes/get")
ANONYMOUS = AuthPosture(effective=AuthKind.NONE, allows_anonymous=True)


def judged(endpoints: list[Endpoint], **inputs: bool) -> tuple[ControlResult, dict[str, Finding]]:
    flags = {"has_specs": True, "has_gateway": True, "has_traffic": True, **inputs}
    evaluation = evaluate_controls(Inventory(endpoints=tuple(endpoints), **flags))
    result = next(c for c in evaluation.controls if c.id == "rate_limit")
    return result, {f.title.split(" on ")[0]: f for f in evaluation.findings if f.control == "rate_limit"}


def policy(key: str | None, limit: float | None = 600, window: float | None = 60, code: int = 429,
           plugin: str = "limit-count") -> RateLimitPolicy:
    return RateLimitPolicy(plugin=plugin, key=key, limit=limit, window_seconds=window, rejected_code=code,
                           evidence=WHERE)


def limits(*policies: RateLimitPolicy, keying: RateLimitKeying) -> RateLimitPosture:
    return RateLimitPosture(enforced=True, by=tuple(f"{p.plugin} by {p.key}" for p in policies), evidence=(WHERE,),
                            policies=policies, keying=keying)


def busy(peak: int, throttled: int = 0, status_classes: dict[str, int] | None = None) -> TrafficStats:
    return TrafficStats(requests=5000, clients=40, status_classes=status_classes or {"2xx": 5000 - throttled,
                        "4xx": throttled} , throttled=throttled, peak_requests_per_minute=peak, peak_rate_client=3,
                        peak_rate_minute=datetime(2026, 11, 9, 8, 14, tzinfo=UTC),
                        evidence=(Evidence(path="logs/access.log", count=5000, sample_lines=(3,)),))


@pytest.mark.parametrize(("key", "plugin", "keying"), [
    ("consumer_name", "limit-count", RateLimitKeying.CLIENT),
    ("http_x_partner_id", "limit-count", RateLimitKeying.CLIENT),
    ("consumer (ip when none is identified)", "rate-limiting", RateLimitKeying.CLIENT),
    ("header:X-Api-Key", "rate-limiting", RateLimitKeying.CLIENT),
    ("api_key", "usage-plan", RateLimitKeying.CLIENT),
    ("remote_addr", "limit-req", RateLimitKeying.ADDRESS),
    ("$binary_remote_addr", "limit_req", RateLimitKeying.ADDRESS),
    ("x_forwarded_for (depth 1)", "rateLimit", RateLimitKeying.ADDRESS),
    ("$remote_addr $http_x_partner", "limit-count", RateLimitKeying.ADDRESS),
    ("constant (one counter shared by all callers)", "limit-count", RateLimitKeying.SHARED),
    ("envoy instance", "local_ratelimit", RateLimitKeying.SHARED),
    ("service", "rate-limiting", RateLimitKeying.SHARED),
    (None, "stage-throttle", RateLimitKeying.SHARED),
    (None, "limit_req", RateLimitKeying.UNKNOWN),
])
def test_each_gateways_key_is_graded_by_what_it_counts(key: str | None, plugin: str,
                                                       keying: RateLimitKeying) -> None:
    assert keying_of(policy(key, plugin=plugin)) is keying


def test_present_a_limit_per_consumer_that_binds_and_rejects_passes(endpoint: EndpointFactory) -> None:
    quotes = endpoint("GET", "/v1/quotes", rate_limit=limits(policy("consumer_name"), keying=RateLimitKeying.CLIENT),
                      traffic=busy(300, throttled=25))
    result, findings = judged([quotes])
    assert findings == {} and result.status.value == "pass"
    assert result.summary.startswith("1 of 1 routed endpoints are rate limited (1 per consumer or credential)")
    assert result.evidence_strength is EvidenceStrength.ENFORCED


def test_a_limit_per_address_is_weaker_than_per_consumer_where_callers_authenticate(
        endpoint: EndpointFactory) -> None:
    by_ip = limits(policy("remote_addr"), keying=RateLimitKeying.ADDRESS)
    _, findings = judged([endpoint("GET", "/v1/quotes", rate_limit=by_ip)])
    finding = findings["Limits counted per client address only"]
    assert finding.severity is Severity.LOW and "remote_addr" in finding.detail
    # An anonymous endpoint has no identity to count by: an address is the best it can do.
    _, findings = judged([endpoint("GET", "/v1/rates", rate_limit=by_ip, auth=ANONYMOUS)])
    assert findings == {}


def test_partial_a_shared_counter_alone_is_weak(endpoint: EndpointFactory) -> None:
    shared = limits(policy("constant (one counter shared by all callers)"), keying=RateLimitKeying.SHARED)
    result, findings = judged([endpoint("GET", "/v1/quotes", rate_limit=shared),
                               endpoint("GET", "/v1/claims", rate_limit=limits(policy("consumer_name"),
                                                                                keying=RateLimitKeying.CLIENT))])
    assert findings["Only a limit shared by all callers"].endpoints == ("GET /v1/quotes",)
    assert result.status.value == "partial"


def test_a_client_above_the_limit_without_429s_shows_a_limit_not_enforced(endpoint: EndpointFactory) -> None:
    quotes = endpoint("GET", "/v1/quotes", rate_limit=limits(policy("consumer_name", limit=100),
                                                             keying=RateLimitKeying.CLIENT), traffic=busy(450))
    _, findings = judged([quotes])
    finding = findings["Rate limit not enforced as configured"]
    assert finding.severity is Severity.HIGH
    assert ("one client made 450 requests in 2026-11-09 08:14-08:15 UTC against limit-count 100 requests per "
            "60 s (at most 200 in any minute)") in finding.detail
    assert any(item.path == "logs/access.log" for item in finding.evidence)


def test_429s_answered_mean_the_limit_is_at_work(endpoint: EndpointFactory) -> None:
    quotes = endpoint("GET", "/v1/quotes", rate_limit=limits(policy("consumer_name", limit=100),
                                                             keying=RateLimitKeying.CLIENT),
                      traffic=busy(450, throttled=250))
    _, findings = judged([quotes])
    assert "Rate limit not enforced as configured" not in findings


def test_a_limit_rejecting_with_503_is_judged_on_the_5xx_answers(endpoint: EndpointFactory) -> None:
    nginx = limits(policy("$binary_remote_addr", limit=10, window=1, code=503, plugin="limit_req"),
                   keying=RateLimitKeying.ADDRESS)
    rejecting = busy(2000, status_classes={"2xx": 4900, "5xx": 100})
    _, findings = judged([endpoint("GET", "/v1/rates", rate_limit=nginx, traffic=rejecting, auth=ANONYMOUS)])
    assert findings == {}
    _, findings = judged([endpoint("GET", "/v1/rates", rate_limit=nginx, traffic=busy(2000), auth=ANONYMOUS)])
    assert "at most 1200 in any minute" in findings["Rate limit not enforced as configured"].detail


@pytest.mark.parametrize(("limit", "peak"), [(5_000_000, 0), (100_000, 300)])
def test_a_limit_that_never_binds_is_weak(endpoint: EndpointFactory, limit: float, peak: int) -> None:
    loose = limits(policy("consumer_name", limit=limit), keying=RateLimitKeying.CLIENT)
    _, findings = judged([endpoint("GET", "/v1/quotes", rate_limit=loose,
                                   traffic=busy(peak) if peak else None)])
    assert findings["Rate limits that never bind"].severity is Severity.MEDIUM


def test_a_sane_limit_is_not_loose_because_the_log_was_quiet(endpoint: EndpointFactory) -> None:
    sane = limits(policy("consumer_name", limit=300), keying=RateLimitKeying.CLIENT)
    _, findings = judged([endpoint("GET", "/v1/quotes", rate_limit=sane, traffic=busy(2))])
    assert findings == {}


def test_observed_429s_show_throttling_where_no_gateway_config_was_given(endpoint: EndpointFactory) -> None:
    quotes = endpoint("GET", "/v1/quotes", sources=(SightingSource.SPEC, SightingSource.TRAFFIC), route_ids=(),
                      rate_limit=RateLimitPosture(enforced=None), traffic=busy(80, throttled=12))
    result, findings = judged([quotes], has_gateway=False)
    assert result.status.value == "pass" and findings == {}
    assert result.evidence_strength is EvidenceStrength.OBSERVED
    assert "1 endpoint not shown by a gateway answered 429 in traffic" in result.summary


def test_declared_only_rests_on_the_spec_and_says_so(endpoint: EndpointFactory) -> None:
    quotes = endpoint("GET", "/v1/quotes", sources=(SightingSource.SPEC,), route_ids=(),
                      rate_limit=RateLimitPosture(enforced=None, declared=SPEC), traffic=None)
    result, _ = judged([quotes], has_gateway=False, has_traffic=False)
    assert result.evidence_strength is EvidenceStrength.DECLARED
    assert any("a declaration is not enforcement" in text for text in result.limitations)
    assert SPEC in result.evidence


def test_not_observable_without_a_gateway_429s_or_declarations(endpoint: EndpointFactory) -> None:
    quotes = endpoint("GET", "/v1/quotes/{id}", sources=(SightingSource.SPEC, SightingSource.TRAFFIC),
                      route_ids=(), rate_limit=RateLimitPosture(enforced=None), traffic=busy(80))
    result, findings = judged([quotes], has_gateway=False)
    assert result.status.value == "unknown" and findings == {}
    assert "No gateway routing config was given" in result.summary


def page(name: str, maximum: float | None) -> Parameter:
    return Parameter(name=name, location=ParameterLocation.QUERY, schema_type="integer", maximum=maximum)


def test_a_page_size_without_maximum_is_a_finding_naming_the_parameter(endpoint: EndpointFactory) -> None:
    unbounded = endpoint("GET", "/v1/claims", parameters=(page("pageSize", None), page("page", None)),
                         returns_collection=True)
    bounded = endpoint("GET", "/v1/policies", parameters=(page("limit", 100), page("cursor", None)),
                       returns_collection=True)
    _, findings = judged([unbounded, bounded])
    finding = findings["Page size without a maximum"]
    assert finding.endpoints == ("GET /v1/claims",) and "(pageSize)" in finding.detail
    assert "Collections returned without paging" not in findings


def test_a_collection_without_any_paging_is_a_finding(endpoint: EndpointFactory) -> None:
    _, findings = judged([endpoint("GET", "/v1/brokers", returns_collection=True),
                          endpoint("GET", "/v1/brokers/{id}", returns_collection=False)])
    assert findings["Collections returned without paging"].endpoints == ("GET /v1/brokers",)
