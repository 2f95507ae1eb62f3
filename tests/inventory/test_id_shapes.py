"""Id guessability from the spec's id types and the span of numeric ids in traffic."""

from __future__ import annotations

import pytest

from riskscan.inventory.id_shapes import id_guessability
from riskscan.model import IdGuessability, Parameter, ParameterLocation, TrafficStats


def path_id(name: str, kind: str | None = "string", form: str | None = None, pattern: str | None = None) -> Parameter:
    return Parameter(name=name, location=ParameterLocation.PATH, required=True, schema_type=kind,
                     schema_format=form, pattern=pattern)


def seen(objects: int, span: int) -> TrafficStats:
    return TrafficStats(requests=objects * 3, clients=12, status_classes={"2xx": objects * 3},
                        distinct_paths=objects, id_span=span)


@pytest.mark.parametrize(("parameter", "kind", "reason"), [
    (path_id("claimId", "integer", "int64"), IdGuessability.SEQUENTIAL, "claimId is declared integer (int64)"),
    (path_id("claimId", "string", "int64"), IdGuessability.SEQUENTIAL, "claimId is declared string (int64)"),
    (path_id("claimId", pattern="^[0-9]+$"), IdGuessability.SEQUENTIAL, "claimId is declared as digits only"),
    (path_id("claimId", pattern=r"^\d{6,10}$"), IdGuessability.SEQUENTIAL, "claimId is declared as digits only"),
    (path_id("claimId", form="uuid"), IdGuessability.UNGUESSABLE, "claimId is declared a UUID"),
    (path_id("claimId", pattern="^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"),
     IdGuessability.UNGUESSABLE, "claimId is declared a UUID"),
    (path_id("claimId"), IdGuessability.UNKNOWN, "the id's type is not declared as a number or a UUID"),
    (path_id("claimId", pattern="^CLM-[A-Z0-9]{10}$"), IdGuessability.UNKNOWN,
     "the id's type is not declared as a number or a UUID"),
])
def test_the_spec_says_what_an_id_is(parameter: Parameter, kind: IdGuessability, reason: str) -> None:
    assert id_guessability("/v2/claims/{claimId}", [parameter], None) == (kind, reason)


def test_dense_numeric_ids_in_traffic_were_handed_out_in_sequence() -> None:
    kind, reason = id_guessability("/v2/claims/{id}", [], seen(900, 1_000)) or (None, "")
    assert kind is IdGuessability.SEQUENTIAL
    assert reason == "traffic shows 900 distinct objects with numeric ids spanning only 1,000"
    # Sparse ids (random 9-digit numbers) and a handful of objects say nothing.
    assert id_guessability("/v2/claims/{id}", [], seen(900, 10**9)) == (
        IdGuessability.UNKNOWN, "the id's type is not declared as a number or a UUID")
    assert id_guessability("/v2/claims/{id}", [], seen(5, 5))[0] is IdGuessability.UNKNOWN  # type: ignore[index]


def test_uuids_folded_from_traffic_are_unguessable_and_the_weakest_id_wins() -> None:
    assert id_guessability("/v2/documents/{uuid}", [], None) == (
        IdGuessability.UNGUESSABLE, "ids seen in traffic are UUIDs")
    both = [path_id("policyId", form="uuid"), path_id("claimId", "integer")]
    assert id_guessability("/v2/policies/{policyId}/claims/{claimId}", both, None) == (
        IdGuessability.SEQUENTIAL, "claimId is declared integer")


def test_a_path_without_ids_has_no_guessability() -> None:
    assert id_guessability("/v2/claims", [], seen(900, 1_000)) is None
