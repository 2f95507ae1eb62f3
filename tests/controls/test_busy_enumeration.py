"""Id walking on a busy endpoint: a scraper among thousands of legitimate clients is judged against
those clients (an outlier, a sequential run), never by its share of all the objects served."""

from __future__ import annotations

import random
import struct
from datetime import UTC, datetime

import pytest

from riskscan.controls import evaluate_controls
from riskscan.inventory import build_inventory
from riskscan.model import (
    ApiSpec,
    AuthKind,
    AuthRequirement,
    ClientTraffic,
    Evidence,
    Finding,
    Parameter,
    ParameterLocation,
    PathTraffic,
    Severity,
    SpecOperation,
    TrafficSample,
)

WEEK = (datetime(2026, 11, 9, tzinfo=UTC), datetime(2026, 11, 15, 23, tzinfo=UTC))


def spec(kind: AuthKind) -> ApiSpec:
    operation = SpecOperation(
        method="GET", path="/v2/claim-status/{claimId}",
        parameters=(Parameter(name="claimId", location=ParameterLocation.PATH, required=True),),
        security=((AuthRequirement(kind=kind, scheme="repairerKey" if kind is AuthKind.API_KEY else "oidc"),),),
        evidence=Evidence(path="specs/claims.yaml", line=40, pointer="/paths/~1v2~1claim-status~1{claimId}/get"),
    )
    return ApiSpec(path="specs/claims.yaml", title="Claims", version="2", spec_format="openapi 3.0.3",
                   operations=(operation,))


def client(client_id: int, ids: list[int], requests: int | None = None,
           window: tuple[datetime, datetime] | None = None) -> ClientTraffic:
    distinct = sorted(set(ids))
    return ClientTraffic(
        client_id=client_id, requests=requests or len(ids), object_keys=struct.pack(f">{len(distinct)}q", *distinct),
        numeric_ids=len(distinct), lowest_id=distinct[0], highest_id=distinct[-1],
        first_seen=window[0] if window else None, last_seen=window[1] if window else None,
    )


def busy_endpoint(walker: list[int] | None, *, partners: int = 4000, heavy: list[int] | None = None,
                  walker_window: tuple[datetime, datetime] | None = None) -> TrafficSample:
    """`partners` repairers each checking 1 to 8 of their own claims, scattered over a million claim
    numbers, plus an optional walker and an optional heavy (legitimate) partner."""
    rng = random.Random(8)
    clients = [client(n, [rng.randrange(1, 1_000_000) for _ in range(rng.randint(1, 8))]) for n in range(partners)]
    if heavy is not None:
        clients.append(client(partners + 1, heavy))
    if walker is not None:
        clients.append(client(partners + 2, walker, requests=len(walker) + 40, window=walker_window))
    objects = len({key for c in clients for key in c.keys()})
    requests = sum(c.requests for c in clients)
    path = PathTraffic(
        method="GET", path="/v2/claim-status/{id}", requests=requests, status_classes={"2xx": requests},
        clients=tuple(clients), objects=objects, first_seen=WEEK[0], last_seen=WEEK[1], sample_lines=(1, 2),
    )
    return TrafficSample(path="logs/access.log", format="combined", total_lines=requests, parsed_lines=requests,
                         rejected_lines=0, paths=(path,), first_seen=WEEK[0], last_seen=WEEK[1])


def walks(sample: TrafficSample, kind: AuthKind = AuthKind.API_KEY) -> list[Finding]:
    inventory = build_inventory([spec(kind)], [], [sample])
    return [f for f in evaluate_controls(inventory).findings if f.title.startswith("Id walking")]


def test_a_scraper_walking_thousands_of_ids_among_thousands_of_clients_is_found() -> None:
    sample = busy_endpoint(list(range(500_000, 502_500)))
    endpoint_objects = sample.paths[0].objects
    assert 2500 / endpoint_objects < 0.25  # the old share-of-total rule would never have seen it
    found = walks(sample)
    assert [(f.severity, f.endpoints) for f in found] == [(Severity.CRITICAL, ("GET /v2/claim-status/{claimId}",))]
    detail = found[0].detail
    assert "one client called 2500 distinct objects" in detail
    assert "that client made 2540 requests, against at most" in detail and "other clients" in detail
    assert "numeric ids run nearly without gaps over a span of 2500" in detail
    assert "2026-11-09 00:00 to 2026-11-15 23:00 UTC" in detail
    assert any(item.path == "logs/access.log" and item.count for item in found[0].evidence)


def test_thousands_of_legitimate_clients_and_a_heavy_partner_are_not_a_walk() -> None:
    rng = random.Random(3)
    heavy = [rng.randrange(1, 1_000_000) for _ in range(60)]  # a fleet repairer: 60 scattered claims
    assert walks(busy_endpoint(None, heavy=heavy)) == []


def test_a_short_sequential_run_well_above_the_other_clients_is_a_walk() -> None:
    assert len(walks(busy_endpoint(list(range(700_000, 700_080))))) == 1


@pytest.mark.parametrize(("size", "expected"), [(200, []), (2500, [Severity.MEDIUM])])
def test_behind_strong_authentication_only_an_extreme_outlier_is_reported_as_medium(
    size: int, expected: list[Severity]
) -> None:
    rng = random.Random(5)
    scattered = [rng.randrange(1, 1_000_000) for _ in range(size)]  # not sequential
    assert [f.severity for f in walks(busy_endpoint(scattered), AuthKind.OIDC)] == expected


def test_a_machine_like_rate_makes_a_smaller_scattered_sweep_a_walk() -> None:
    rng = random.Random(11)
    sweep = [rng.randrange(1, 1_000_000) for _ in range(60)]  # scattered: not a sequential run
    assert walks(busy_endpoint(sweep)) == []  # without timing, 60 objects is no extreme outlier
    two_minutes = (datetime(2026, 11, 11, 1, 7, tzinfo=UTC), datetime(2026, 11, 11, 1, 9, tzinfo=UTC))
    found = walks(busy_endpoint(sweep, walker_window=two_minutes))
    assert len(found) == 1
    assert "it called from 2026-11-11 01:07 to 2026-11-11 01:09 UTC, 50 requests a minute" in found[0].detail
