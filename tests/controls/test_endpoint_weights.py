"""EndpointExposure-weighted control scores: a failure counts by who can reach the endpoint, what data it
carries and how busy it is (docs/scoring.md, "Endpoint weights"). Every expected score is worked by
hand from the catalogue's factors, so a change to a factor shows here."""

from __future__ import annotations

import math
from collections.abc import Callable

from riskscan.controls import evaluate_controls
from riskscan.controls.catalogue import default_catalogue
from riskscan.model import ControlResult, DataClass, Endpoint, EndpointExposure, Inventory, TrafficStats

EndpointFactory = Callable[..., Endpoint]
WEIGHTS = default_catalogue().scoring.endpoint_weights


def monitoring(endpoints: list[Endpoint]) -> ControlResult:
    inventory = Inventory(endpoints=tuple(endpoints), has_specs=True, has_gateway=True, has_traffic=True,
                          secrets_checked=("gateway/apisix.yaml",))
    return next(c for c in evaluate_controls(inventory).controls if c.id == "monitoring")


def clean(endpoint: EndpointFactory, requests: int = 0) -> list[Endpoint]:
    """Nine logged claims endpoints, public, carrying no sensitive data."""
    return [endpoint("GET", f"/v2/claims/item{n}", exposure=EndpointExposure.PUBLIC, traffic=_traffic(requests))
            for n in range(9)]


def unlogged(endpoint: EndpointFactory, **fields: object) -> Endpoint:
    """An endpoint no logger covers: one medium finding (LOG_UNLOGGED), 0.6 of a failure."""
    return endpoint("GET", "/v2/payments/recent", loggers=(), is_logged=False, **fields)


def _traffic(requests: int) -> TrafficStats | None:
    return TrafficStats(requests=requests, clients=3, status_classes={"2xx": requests}) if requests else None


def test_the_catalogue_factors_are_the_documented_ones() -> None:
    assert dict(WEIGHTS.exposure) == {EndpointExposure.PUBLIC: 1.0, EndpointExposure.UNKNOWN: 1.0, EndpointExposure.INTERNAL: 0.5}
    assert WEIGHTS.data_classes[DataClass.PCI] == 2.0 and WEIGHTS.no_data == 1.0
    assert WEIGHTS.traffic_boost == 1.0


def test_a_public_card_endpoint_failing_costs_more_than_an_internal_one_with_no_data(
    endpoint: EndpointFactory,
) -> None:
    public_card = monitoring([*clean(endpoint), unlogged(endpoint, exposure=EndpointExposure.PUBLIC,
                                                          data_classes=(DataClass.PCI,))])
    internal_plain = monitoring([*clean(endpoint), unlogged(endpoint, exposure=EndpointExposure.INTERNAL)])
    # Public card data weighs 1.0 x 2.0 = 2 among nine of weight 1: 100 x (1 - 0.6 x 2 / 11) = 89.1.
    assert public_card.score == 89
    # Internal, no data weighs 0.5 x 1.0: 100 x (1 - 0.6 x 0.5 / 9.5) = 96.8. Unweighted both were 94.
    assert internal_plain.score == 97
    assert [(r.key, r.weight) for r in public_card.endpoints if r.findings] == [("GET /v2/payments/recent", 2.0)]
    assert [r.weight for r in internal_plain.endpoints if r.findings] == [0.5]


def test_unknown_exposure_weighs_as_public(endpoint: EndpointFactory) -> None:
    unknown = monitoring([*clean(endpoint), unlogged(endpoint, exposure=EndpointExposure.UNKNOWN)])
    public = monitoring([*clean(endpoint), unlogged(endpoint, exposure=EndpointExposure.PUBLIC)])
    assert unknown.score == public.score == 94  # 100 x (1 - 0.6 / 10): the same as an unweighted score
    assert {r.weight for r in unknown.endpoints} == {1.0}


def test_the_most_sensitive_class_sets_the_data_factor(endpoint: EndpointFactory) -> None:
    mixed = monitoring([*clean(endpoint), unlogged(endpoint, data_classes=(DataClass.FINANCIAL, DataClass.PII))])
    # pii (1.5) outweighs financial (1.25): 100 x (1 - 0.6 x 1.5 / 10.5) = 91.4.
    assert mixed.score == 91


def test_traffic_volume_is_dampened_so_one_hot_endpoint_does_not_swamp_the_rest(
    endpoint: EndpointFactory,
) -> None:
    result = monitoring([*clean(endpoint, requests=10),
                         unlogged(endpoint, exposure=EndpointExposure.PUBLIC, traffic=_traffic(1_000_000))])
    quiet = 1 + math.log1p(10) / math.log1p(1_000_000)  # 1.174: ten requests against a million
    weights = {r.key: r.weight for r in result.endpoints}
    assert weights["GET /v2/payments/recent"] == 2.0  # the busiest: 1 + traffic_boost
    assert weights["GET /v2/claims/item0"] == round(quiet, 3)
    # 100 x (1 - 0.6 x 2 / (9 x 1.174 + 2)) = 90.4; by raw request share the hot endpoint would be
    # all of the weight and the score about 40.
    assert result.score == 90


def test_no_traffic_is_a_neutral_factor(endpoint: EndpointFactory) -> None:
    without = monitoring([*clean(endpoint), unlogged(endpoint, exposure=EndpointExposure.PUBLIC)])
    called = monitoring([*clean(endpoint), unlogged(endpoint, exposure=EndpointExposure.PUBLIC, traffic=_traffic(50))])
    assert {r.weight for r in without.endpoints} == {1.0}
    # Traffic only ever adds weight: the one endpoint called is the busiest, weight 2 against nine of 1.
    assert called.score == 89


def test_a_key_on_several_hosts_takes_its_most_exposed_host(endpoint: EndpointFactory) -> None:
    hosts = [unlogged(endpoint, host="payments.svc.cluster.local", exposure=EndpointExposure.INTERNAL),
             unlogged(endpoint, host="api.harbor.example", exposure=EndpointExposure.PUBLIC)]
    result = monitoring([*clean(endpoint), *hosts])
    assert [r.weight for r in result.endpoints if r.findings] == [1.0]
