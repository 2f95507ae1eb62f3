"""What an OpenAPI operation declares about resource consumption: rate limits, collections, page sizes,
and the shape of its ids (maximum and pattern of each parameter)."""

from __future__ import annotations

import math
from pathlib import Path

from riskscan.inventory import build_inventory
from riskscan.model import ApiSpec, IdGuessability
from riskscan.sources import ReadContext
from riskscan.sources.specs.openapi import OpenApiReader

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "openapi"


def read(name: str) -> ApiSpec:
    return OpenApiReader().read(FIXTURES / name, ReadContext(root=FIXTURES))


def test_an_extension_a_429_response_or_rate_limit_headers_declare_a_limit() -> None:
    ops = {op.operation_id: op for op in read("rate-limits-and-paging.yaml").operations}
    declared = {name: op.rate_limit_declared for name, op in ops.items()}
    assert declared["listQuotes"] is not None and declared["listQuotes"].note == "x-ratelimit-limit extension"
    assert declared["listQuotes"].pointer == "/paths/~1quotes/get/x-ratelimit-limit"
    assert declared["listClaims"] is not None and declared["listClaims"].note == "429 response documented"
    assert declared["getClaim"] is not None and declared["getClaim"].note == "X-RateLimit-Remaining header documented"
    assert declared["getClaim"].line is not None
    assert declared["getPolicy"] is None and declared["listBrokers"] is None


def test_arrays_and_envelopes_around_arrays_are_collections() -> None:
    ops = {op.operation_id: op for op in read("rate-limits-and-paging.yaml").operations}
    shapes = {name: op.returns_collection for name, op in ops.items()}
    assert shapes == {"listQuotes": True, "listClaims": True, "getClaim": False, "getPolicy": False,
                      "listBrokers": None}


def test_page_sizes_keep_their_maximum_and_ids_their_shape() -> None:
    ops = {op.operation_id: op for op in read("rate-limits-and-paging.yaml").operations}
    params = {(op.operation_id, p.name): p for op in ops.values() for p in op.parameters}
    assert params[("listQuotes", "page_size")].maximum == 100
    assert params[("listClaims", "limit")].maximum is None
    assert math.isinf(params[("listClaims", "offset")].maximum or 0)  # a 300-digit maximum bounds nothing
    assert params[("listBrokers", "size")].maximum is None  # `maximum: true` is not a number
    claim_id = params[("getClaim", "claimId")]
    assert (claim_id.schema_type, claim_id.schema_format, claim_id.pattern) == ("integer", "int64", None)
    assert params[("getPolicy", "policyId")].pattern == (
        "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def test_the_inventory_carries_the_declarations_collections_and_id_shapes() -> None:
    inventory = build_inventory([read("rate-limits-and-paging.yaml")], [], [])
    endpoints = {e.key: e for e in inventory.endpoints}
    claim, policy = endpoints["GET /v1/claims/{claimId}"], endpoints["GET /v1/policies/{policyId}"]
    assert (claim.id_guessability, claim.id_guessability_reason) == (
        IdGuessability.SEQUENTIAL, "claimId is declared integer (int64)")
    assert (policy.id_guessability, policy.id_guessability_reason) == (
        IdGuessability.UNGUESSABLE, "policyId is declared a UUID")
    assert endpoints["GET /v1/quotes"].id_guessability is None
    assert claim.rate_limit.declared is not None and claim.rate_limit.enforced is None
    assert endpoints["GET /v1/claims"].returns_collection is True
