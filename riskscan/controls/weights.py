"""Endpoint weights: how much each endpoint counts in the score of every control that judges it.

A failure on a public endpoint serving card data to thousands of clients costs an insurer more than
the same failure on an internal health check, so a control's score is the weighted share of its
endpoints that pass. An endpoint's weight is the product of three factors from the catalogue's
`scoring.endpoint_weights` (docs/scoring.md, "Endpoint weights"):

- exposure: public over internal; unknown weighs as public (never assume a thing is internal);
- data: the factor of the most sensitive class it carries (pci, phi, credentials highest);
- traffic: `1 + boost x log(1 + requests) / log(1 + busiest)`, dampened so one hot endpoint does not
  swamp the rest; without traffic (none given, or none reaching it) the neutral 1.

A key served on several hosts takes its most exposed host, every class any of them carries and their
requests summed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from riskscan.controls.catalogue import EndpointWeights
from riskscan.model import Endpoint

__all__ = ["NEUTRAL_WEIGHT", "endpoint_weights"]

NEUTRAL_WEIGHT = 1.0
"""The weight of a key that names no endpoint (a control judging files), and of the plainest endpoint."""


def endpoint_weights(endpoints: Iterable[Endpoint], weights: EndpointWeights) -> dict[str, float]:
    """Endpoint key -> its weight, rounded to three decimals (as the reports print it)."""
    exposure: dict[str, float] = {}
    data: dict[str, float] = {}
    requests: dict[str, int] = {}
    for endpoint in endpoints:
        key = endpoint.key
        exposure[key] = max(exposure.get(key, 0.0), weights.exposure[endpoint.exposure])
        data[key] = max(data.get(key, 0.0), _data_factor(endpoint, weights))
        requests[key] = requests.get(key, 0) + (endpoint.traffic.requests if endpoint.traffic else 0)
    busiest = max(requests.values(), default=0)
    return {key: round(exposure[key] * data[key] * _traffic_factor(requests[key], busiest, weights), 3)
            for key in exposure}


def _data_factor(endpoint: Endpoint, weights: EndpointWeights) -> float:
    """The factor of the most sensitive class it carries; `no_data` when its data shows none."""
    factors = (weights.data_classes[data_class] for data_class in endpoint.data_classes)
    return max(factors, default=weights.no_data)


def _traffic_factor(requests: int, busiest: int, weights: EndpointWeights) -> float:
    """1 without traffic; up to 1 + `traffic_boost` for the busiest endpoint, log-dampened between."""
    if busiest <= 0 or requests <= 0:
        return 1.0
    return 1.0 + weights.traffic_boost * math.log1p(requests) / math.log1p(busiest)
