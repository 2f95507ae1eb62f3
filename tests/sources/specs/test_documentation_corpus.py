"""Postman and GraphQL readers over the shared real-world corpus (`../shared/corpus`).

Every file there is sniffed: a Postman collection or GraphQL schema is only ever found in a folder named
for its kind (`postman/`, `graphql/`), so no spec, gateway config or log is taken for one. Collections
and schemas the corpus holds are read and must give endpoints; the test says so and skips when it has none.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from riskscan.model import SourceKind
from riskscan.sources import READERS, ReadContext, detect_kind, read_head

_KINDS = {SourceKind.POSTMAN: "postman", SourceKind.GRAPHQL: "graphql"}


def _detected(corpus_dir: Path) -> list[tuple[Path, SourceKind]]:
    found = []
    for path in sorted(corpus_dir.rglob("*")):
        if path.is_file() and path.stat().st_size:
            kind = detect_kind(path, read_head(path))
            if kind in _KINDS:
                found.append((path, kind))
    return found


def test_no_other_corpus_file_is_taken_for_a_collection_or_schema(corpus_dir: Path) -> None:
    misread = [
        f"{path.relative_to(corpus_dir)} as {kind.value}"
        for path, kind in _detected(corpus_dir)
        if _KINDS[kind] not in path.relative_to(corpus_dir).parts
    ]
    assert not misread


def test_corpus_collections_and_schemas_give_documented_endpoints(corpus_dir: Path) -> None:
    found = _detected(corpus_dir)
    if not found:
        pytest.skip("the shared corpus holds no Postman collection or GraphQL schema (postman/, graphql/)")
    context = ReadContext(root=corpus_dir)
    for path, kind in found:
        spec = READERS[kind].read(path, context)
        assert spec.operations, f"{path.relative_to(corpus_dir)} gave no endpoints"
