"""Folding concrete paths into templates: id-like segments, known prefixes, crowded siblings."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from riskscan.inventory.folding import fold_path, fold_paths
from riskscan.inventory.templates import TemplateMatcher


@pytest.mark.parametrize(
    ("path", "folded"),
    [
        ("/v2/orders/9000", "/v2/orders/{id}"),
        ("/v2/claims/3f2b8c1e-9a4d-4c6b-8e2f-1a2b3c4d5e6f", "/v2/claims/{uuid}"),
        ("/documents/9f86d081884c7d659a2feaa0c55ad015", "/documents/{hash}"),
        ("/cards/crd_123/limits", "/cards/{id}/limits"),
        ("/v1/policies/pol-000123", "/v1/policies/{id}"),
        ("/v2/claims/CLM-2026-0001/notes", "/v2/claims/{id}/notes"),
        ("/payments/cus_NffrFeUfNV2Hib", "/payments/{id}"),
        ("/reports/2026-11-09", "/reports/{date}"),
        ("/brokers/{email}/licences", "/brokers/{email}/licences"),
        ("/customers/{ssn}", "/customers/{ssn}"),
        ("/v2/orders/42/", "/v2/orders/{id}"),
        ("/internal/export/claims-2026-11-10.csv", "/internal/export/claims-{date}.csv"),
        ("/documents/report-12345.pdf", "/documents/report-{id}.pdf"),
        ("/", "/"),
    ],
)
def test_id_like_segments_fold(path: str, folded: str) -> None:
    assert fold_path(path) == folded


@pytest.mark.parametrize(
    "path",
    [
        "/api-v1/quotes",
        "/v2/claims/search",
        "/oauth2/callback",
        "/static/app.js",
        "/deadbeef",
        "/.well-known/jwks",
    ],
)
def test_words_and_versions_stay_literal(path: str) -> None:
    assert fold_path(path) == path


def test_an_email_left_in_a_path_never_becomes_part_of_a_template() -> None:
    assert fold_path("/brokers/jane.doe@broker.example/licences") == "/brokers/{email}/licences"


def test_nine_thousand_orders_are_one_template() -> None:
    folded = fold_paths(f"/v2/orders/{number}" for number in range(1, 9001))
    assert set(folded.values()) == {"/v2/orders/{id}"}


def test_many_sibling_names_fold_to_a_parameter_but_a_few_stay() -> None:
    names = [f"broker{letter}" for letter in "abcdefghijklmnopqrstuvwxy"]
    many = fold_paths([*(f"/brokers/{name}/licences" for name in names), "/quotes/home", "/quotes/motor"])
    assert {many[f"/brokers/{name}/licences"] for name in names} == {"/brokers/{param}/licences"}
    assert many["/quotes/home"] == "/quotes/home"
    assert many["/quotes/motor"] == "/quotes/motor"


def test_unmatched_paths_under_a_known_template_reuse_its_parameter_names() -> None:
    matcher = TemplateMatcher[str]()
    matcher.add("GET", "/v2/claims/{claimId}", "getClaim")
    folded = fold_paths(
        ["/v2/claims/123/notes", "/v2/claims/CLM-9/notes/7"], known_prefix=matcher.longest_prefix
    )
    assert folded == {
        "/v2/claims/123/notes": "/v2/claims/{claimId}/notes",
        "/v2/claims/CLM-9/notes/7": "/v2/claims/{claimId}/notes/{id}",
    }


_SEGMENT = st.one_of(
    st.text(alphabet="abcdefABCDEF0123456789-_.{}@%~:", min_size=0, max_size=20),
    st.uuids().map(str),
    st.integers(min_value=0).map(str),
    st.sampled_from(["{id}", "{email}", "claims", "CLM-2026-0001", "2026-11-09", "v2", "pol-000123"]),
)


@given(st.lists(_SEGMENT, max_size=8))
def test_folding_is_idempotent(segments: list[str]) -> None:
    path = "/" + "/".join(segments)
    once = fold_path(path)
    assert fold_path(once) == once


@given(st.lists(st.lists(_SEGMENT, min_size=1, max_size=4), min_size=1, max_size=40))
def test_folding_a_set_of_paths_is_idempotent(rows: list[list[str]]) -> None:
    paths = ["/" + "/".join(row) for row in rows]
    once = fold_paths(paths, threshold=3)
    twice = fold_paths(once.values(), threshold=3)
    assert all(twice[template] == template for template in once.values())


@given(
    st.lists(
        st.sampled_from(["claims", "policies", "{id}", "{uuid}", "{date}", "v2"]), min_size=1, max_size=6
    )
)
def test_a_path_filled_in_from_a_folded_template_folds_back_to_it(segments: list[str]) -> None:
    examples = {"{id}": "40213", "{uuid}": "3f2b8c1e-9a4d-4c6b-8e2f-1a2b3c4d5e6f", "{date}": "2026-11-09"}
    concrete = "/" + "/".join(examples.get(segment, segment) for segment in segments)
    # A repeated placeholder is numbered, since a template names each parameter once.
    named = [f"{s[:-1]}_{segments[:i].count(s) + 1}}}" if s.startswith("{") and s in segments[:i] else s
             for i, s in enumerate(segments)]
    assert fold_path(concrete) == "/" + "/".join(named)


def test_a_crowded_position_folds_ids_and_names_together() -> None:
    names = [f"tag{letter}" for letter in "abcdefghijklmnopqrstuvwxyz"]
    folded = fold_paths([*(f"/blog/tags/{name}" for name in names), "/blog/tags/2026"])
    assert set(folded.values()) == {"/blog/tags/{param}"}


def test_top_level_areas_never_fold_into_one_parameter() -> None:
    areas = [f"area{letter}" for letter in "abcdefghijklmnopqrstuvwxyz"]
    folded = fold_paths(f"/{area}/index" for area in areas)
    assert folded["/areaa/index"] == "/areaa/index"


@pytest.mark.parametrize(
    "path",
    [
        "/downloads/report-2024.pdf",
        "/downloads/2023_summary",
        "/downloads/summary_2023",
        "/presentations/logstash-monitorama-2013",
        "/presentations/pycon-2019-talk",
        "/reports/2024.csv",
    ],
)
def test_a_year_inside_a_name_is_not_an_id(path: str) -> None:
    assert fold_path(path) == path


def test_numbers_beside_a_year_still_fold() -> None:
    assert fold_path("/v2/claims/CLM-2026-0001") == "/v2/claims/{id}"
    assert fold_path("/exports/claims-2026-11-10.csv") == "/exports/claims-{date}.csv"
    assert fold_path("/documents/report-2024-000123.pdf") == "/documents/report-2024-{id}.pdf"


def test_sibling_folders_of_named_items_fold_alike() -> None:
    many = [f"/blog/geekery/post-{letter}" for letter in "abcdefghijklmnopqrstuvwxy"]
    few = ["/blog/rants/dns-providers", "/blog/rants/fedora-yum"]
    folded = fold_paths([*many, *few])
    assert {folded[path] for path in many} == {"/blog/geekery/{param}"}
    assert {folded[path] for path in few} == {"/blog/rants/{param}"}


def test_sibling_folders_with_few_named_items_stay_literal_alike() -> None:
    paths = [f"/blog/{folder}/post-{letter}" for folder in ("geekery", "rants") for letter in "abcdefgh"]
    assert all(template == path for path, template in fold_paths(paths).items())


def test_top_level_areas_are_not_siblings_whose_items_fold_alike() -> None:
    brokers = [f"/brokers/broker{letter}" for letter in "abcdefghijklmnopqrstuvwxy"]
    folded = fold_paths([*brokers, "/quotes/home", "/quotes/motor"])
    assert folded["/brokers/brokera"] == "/brokers/{param}"
    assert (folded["/quotes/home"], folded["/quotes/motor"]) == ("/quotes/home", "/quotes/motor")


@given(
    st.dictionaries(
        st.sampled_from(["geekery", "rants", "tags", "projects", "misc"]),
        st.lists(st.sampled_from([f"item-{letter}" for letter in "abcdefghijklmnop"]), min_size=1, unique=True),
        min_size=2,
    )
)
def test_items_of_sibling_folders_fold_all_or_none(folders: dict[str, list[str]]) -> None:
    paths = [f"/blog/{folder}/{item}" for folder, items in folders.items() for item in items]
    leaves = {template.rsplit("/", 1)[1] for template in fold_paths(paths, threshold=5).values()}
    assert leaves == {"{param}"} or "{param}" not in leaves
