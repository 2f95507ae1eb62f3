"""Reduction at ingestion folds exactly as the inventory folds, and keeps no concrete id as text."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from riskscan.inventory.folding import fold_segment
from riskscan.sources.traffic.reduce import (
    MAX_PLAIN_ID_DIGITS,
    SHORT_PREFIXED_ID,
    UUID,
    reduce_path,
)

SEGMENT = st.text(alphabet="0123456789abcdefABCXYZ-_.@%~=;", max_size=40)


@given(st.text(alphabet="0123456789", min_size=1, max_size=MAX_PLAIN_ID_DIGITS))
def test_the_shortcut_for_plain_numbers_agrees_with_fold_segment(digits: str) -> None:
    assert fold_segment(digits) == "{id}"
    assert reduce_path(f"/v1/accounts/{digits}") == ("/v1/accounts/{id}", int(digits))


@given(st.from_regex(UUID, fullmatch=True))
def test_the_shortcut_for_uuids_agrees_with_fold_segment(uuid: str) -> None:
    assert fold_segment(uuid) == "{uuid}"
    assert reduce_path(f"/v1/payments/{uuid}")[0] == "/v1/payments/{uuid}"


@given(st.from_regex(SHORT_PREFIXED_ID, fullmatch=True))
def test_the_shortcut_for_short_prefixed_ids_agrees_with_fold_segment(claim: str) -> None:
    assert reduce_path(f"/v2/claims/{claim}")[0] == f"/v2/claims/{fold_segment(claim)}"


def test_short_prefixed_ids_fold_but_a_year_after_letters_stays() -> None:
    assert reduce_path("/v2/claims/CLM-2026-000123")[0] == "/v2/claims/{id}"
    assert reduce_path("/v2/policies/POL-0001234")[0] == "/v2/policies/{id}"
    assert reduce_path("/v2/reports/FY-2024")[0] == "/v2/reports/FY-2024"  # a period, not an id


@given(st.lists(SEGMENT, max_size=8))
def test_every_segment_is_folded_by_the_inventorys_own_function(segments: list[str]) -> None:
    path = "/" + "/".join(segments)
    expected = "/".join(fold_segment(segment) if segment else segment for segment in path.split("/"))
    assert reduce_path(path)[0] == expected


@given(st.lists(SEGMENT, max_size=8))
def test_reduction_is_idempotent(segments: list[str]) -> None:
    reduced, _ = reduce_path("/" + "/".join(segments))
    assert reduce_path(reduced)[0] == reduced


def test_the_number_kept_is_the_last_plain_id() -> None:
    assert reduce_path("/v1/accounts/17/payments/42") == ("/v1/accounts/{id}/payments/{id}", 42)
    assert reduce_path("/v2/claims/CLM-2026-0001") == ("/v2/claims/{id}", None)
    assert reduce_path("/health") == ("/health", None)


def test_secrets_and_card_numbers_are_redacted_not_kept_as_ids() -> None:
    reduced, number = reduce_path("/v1/cards/4111111111111111/customers/jane.doe@example.com")
    assert (reduced, number) == ("/v1/cards/{card}/customers/{email}", None)
