"""Multi-document YAML (Kubernetes manifests): one parsed document each, same limits, file-wide lines."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from riskscan.errors import SourceError
from riskscan.sources import ReadContext
from riskscan.sources.structured import MAX_EXPANDED_NODES, load_structured, load_structured_documents


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_each_document_is_parsed_with_lines_counted_from_the_top_of_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "m.yaml", "kind: A\nspec:\n  x: 1\n---\n# comment\nkind: B\nspec:\n  y: [1, 2]\n")
    first, second = load_structured_documents(path, ReadContext(root=tmp_path))
    assert (first.data["kind"], second.data["kind"]) == ("A", "B")
    assert (first.line_of("/spec/x"), second.line_of("/spec/y/1"), second.line_of("")) == (3, 8, 6)


def test_empty_documents_are_left_out(tmp_path: Path) -> None:
    path = write(tmp_path, "m.yaml", "---\n---\nkind: A\n---\n...\n")
    [document] = load_structured_documents(path, ReadContext(root=tmp_path))
    assert document.data == {"kind": "A"}


def test_json_is_one_document(tmp_path: Path) -> None:
    path = write(tmp_path, "list.json", '{"kind": "List", "items": []}')
    [document] = load_structured_documents(path, ReadContext(root=tmp_path))
    assert document.data["kind"] == "List"


def test_single_document_readers_still_refuse_a_second_document(tmp_path: Path) -> None:
    path = write(tmp_path, "m.yaml", "a: 1\n---\nb: 2\n")
    with pytest.raises(SourceError, match="expected a single document"):
        load_structured(path, ReadContext(root=tmp_path))


def test_a_broken_later_document_names_its_own_line(tmp_path: Path) -> None:
    path = write(tmp_path, "m.yaml", "a: 1\n---\nb: [1, 2\n")
    with pytest.raises(SourceError) as caught:
        load_structured_documents(path, ReadContext(root=tmp_path))
    assert caught.value.line == 4 and "malformed YAML" in str(caught.value)


def test_the_alias_budget_spans_every_document(tmp_path: Path) -> None:
    # Each document alone expands to ~1.7 million nodes, under the limit; two of them are over it.
    levels = "\n".join(f"l{n}: &l{n} [" + ", ".join([f"*l{n - 1}"] * 15) + "]" for n in range(1, 6))
    document = "l0: &l0 [x]\n" + levels + "\n"
    assert MAX_EXPANDED_NODES == 2_000_000
    load_structured_documents(write(tmp_path, "one.yaml", document), ReadContext(root=tmp_path))
    with pytest.raises(SourceError, match="alias bomb"):
        load_structured_documents(write(tmp_path, "two.yaml", document + "---\n" + document),
                                  ReadContext(root=tmp_path))


def test_size_and_depth_limits_apply(tmp_path: Path) -> None:
    path = write(tmp_path, "m.yaml", "a: 1\n---\n" + "[" * 300 + "]" * 300 + "\n")
    with pytest.raises(SourceError, match="nested too deeply"):
        load_structured_documents(path, ReadContext(root=tmp_path))
    with pytest.raises(SourceError, match="over the 5-byte limit"):
        load_structured_documents(path, ReadContext(root=tmp_path, max_bytes=5))


@pytest.mark.parametrize("name", ["spec.yaml", "spec.json"])
def test_no_garbage_collection_runs_while_a_document_is_built(tmp_path: Path, name: str) -> None:
    """Collections set off by the allocations of a large document made 3 MB YAML specs 2-4 times
    slower; the collector is paused while building (the one young collection due when it resumes
    may follow: 15,000 containers set off about 20 without the pause), and left as it was found."""
    if name.endswith(".json"):
        properties = ", ".join(f'"field{n}": {{"type": "string", "enum": ["a", "b"]}}' for n in range(5000))
        text = f'{{"openapi": "3.0.3", "components": {{"schemas": {{"S": {{{properties}}}}}}}}}'
    else:
        properties = "".join(f"        field{n}: {{type: string, enum: [a, b]}}\n" for n in range(5000))
        text = f"openapi: 3.0.3\ncomponents:\n  schemas:\n    S:\n{properties}"
    path = write(tmp_path, name, text)
    collections: list[str] = []

    def note(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collections.append(phase)

    gc.callbacks.append(note)
    try:
        assert gc.isenabled()
        document = load_structured(path, ReadContext(root=tmp_path))
        assert gc.isenabled() and len(collections) <= 1
        gc.disable()
        load_structured(path, ReadContext(root=tmp_path))
        assert not gc.isenabled()
    finally:
        gc.enable()
        gc.callbacks.remove(note)
    assert len(document.data["components"]["schemas"]["S"]) == 5000


def test_overlapping_pauses_of_the_collector_restore_it_once_the_last_ends() -> None:
    """Two documents built at once (threads, or one inside another): the collector stays paused until
    both end, then is as the first found it, never left off by the one that found it paused."""
    import gc

    from riskscan.sources.safe_yaml import paused_collection

    assert gc.isenabled()
    first, second = paused_collection(), paused_collection()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)  # the first to start ends first
    assert not gc.isenabled()
    second.__exit__(None, None, None)
    assert gc.isenabled()
