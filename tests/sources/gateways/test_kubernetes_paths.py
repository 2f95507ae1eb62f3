"""Kubernetes path matches as route uris: exactly what they match, never wider."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from riskscan.inventory.gateway_patterns import compile_uri
from riskscan.sources.gateways.kubernetes_paths import PathMatch, route_uris


@pytest.mark.parametrize(
    ("value", "match", "uris"),
    [
        ("/v1/quotes", PathMatch.EXACT, ("/v1/quotes",)),
        ("/v1/claims", PathMatch.SEGMENT_PREFIX, ("/v1/claims", "/v1/claims/*")),
        ("/v1/claims/", PathMatch.SEGMENT_PREFIX, ("/v1/claims", "/v1/claims/*")),  # trailing slash ignored
        ("/", PathMatch.SEGMENT_PREFIX, ("/*",)),
        ("/v1/docs", PathMatch.STRING_PREFIX, ("/v1/docs*",)),
        ("^/users/[0-9]+$", PathMatch.REGEX_FULL, ("/users/:p1",)),
        ("^/users/[^/]+/orders$", PathMatch.REGEX_FULL, ("/users/:p1/orders",)),
        ("/users/\\d+", PathMatch.REGEX_FULL, ("/users/:p1",)),  # the whole path must match
        ("/users/[0-9]+", PathMatch.REGEX_START, ("/users/:p1*",)),  # anything may follow
        ("/users/[0-9]+$", PathMatch.REGEX_START, ("/users/:p1",)),
        ("/web(/|$)(.*)", PathMatch.REGEX_START, ("/web", "/web/*")),
        ("/api(.*)", PathMatch.REGEX_START, ("/api*",)),
        ("/api/.*", PathMatch.REGEX_FULL, ("/api/*",)),  # below /api/, never /api itself or /apix
        ("/api/?(.*)", PathMatch.REGEX_FULL, ("/api*",)),
        ("/v1/files\\.json", PathMatch.REGEX_FULL, ("/v1/files.json",)),
    ],
)
def test_match_types_translate_to_what_they_match(
    value: str, match: PathMatch, uris: tuple[str, ...]
) -> None:
    assert route_uris(value, match) == uris


@pytest.mark.parametrize(
    "pattern",
    [
        "/v2/(claims|policies)/.*/export",  # alternation: no single path template
        "/api/v[12]/orders",  # a character class inside a literal segment
        "/users/.+",  # crosses segments
        "^/(a+)+$",  # catastrophic for a backtracking engine
        "/x/(?=y)",  # a lookahead RE2 refuses
        "/a|/b",
        "users/[0-9]+",  # not a path
        "/api(/|$)",  # with the whole path matched: /api and /api/ only, not a prefix
        "/api(/.*)?",
    ],
)
def test_other_regexes_are_not_evaluated(pattern: str) -> None:
    assert route_uris(pattern, PathMatch.REGEX_FULL) is None


SEGMENT = st.from_regex(r"[a-z][a-z0-9-]{0,8}", fullmatch=True)


@given(st.lists(SEGMENT, min_size=1, max_size=4), SEGMENT)
def test_a_segment_prefix_takes_its_own_path_and_below_never_a_longer_segment(
    segments: list[str], below: str
) -> None:
    base = "/" + "/".join(segments)
    patterns = [compile_uri(uri) for uri in route_uris(base, PathMatch.SEGMENT_PREFIX) or ()]
    assert any(pattern.matches(base) for pattern in patterns)
    assert any(pattern.matches(f"{base}/{below}") for pattern in patterns)
    assert not any(pattern.matches(f"{base}{below}") for pattern in patterns)


@given(st.lists(SEGMENT, min_size=1, max_size=4), st.integers(min_value=0, max_value=10**9))
def test_a_translated_id_regex_matches_the_paths_it_describes(segments: list[str], number: int) -> None:
    base = "/" + "/".join(segments)
    [uri] = route_uris(f"^{base}/[0-9]+$", PathMatch.REGEX_FULL) or ()
    assert compile_uri(uri).matches(f"{base}/{number}")
    assert not compile_uri(uri).matches(f"{base}/{number}/more")
