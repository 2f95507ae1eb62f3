"""Judging a file's kind by its document's top-level keys, wherever in the file they are."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from riskscan.discovery import read_inputs
from riskscan.model import InputStatus, SourceKind
from riskscan.sources import HEAD_BYTES, READERS, ReadContext, detect_kind, read_head
from riskscan.sources.specs.openapi_versions import sniff_openapi_version
from riskscan.sources.outline import document_outline, is_document_head

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def components_first_spec() -> dict[str, Any]:
    """Twilio's layout: `components` first, padded with schemas well past what a sniffer sees."""
    spec: dict[str, Any] = yaml.safe_load((FIXTURES / "openapi" / "components-first.yaml").read_text())
    schemas = spec["components"]["schemas"]
    for index in range(1200):
        schemas[f"lookups.v2.record_{index}"] = {
            "type": "object",
            "properties": {"sid": {"type": "string", "description": "A 34-character identifier."}},
        }
    return spec


def write(path: Path, data: dict[str, Any]) -> Path:
    """Write `data` as JSON or YAML (by suffix, gzipped for `.gz`), keys in their given order."""
    if ".json" in path.suffixes:
        text = json.dumps(data, indent=2)
    else:
        text = yaml.dump(data, Dumper=yaml.CSafeDumper, sort_keys=False)
    raw = text.encode("utf-8")
    path.write_bytes(gzip.compress(raw) if path.suffix == ".gz" else raw)
    assert len(raw) > 2 * HEAD_BYTES
    return path


@pytest.mark.parametrize("name", ["lookups.yaml", "lookups.json", "lookups.yaml.gz", "lookups.json.gz"])
def test_a_spec_whose_openapi_key_follows_a_large_components_block_is_read(tmp_path: Path, name: str) -> None:
    spec = write(tmp_path / name, components_first_spec())
    assert b"openapi" not in read_head(spec)  # the head alone cannot tell
    assert detect_kind(spec, read_head(spec)) is SourceKind.OPENAPI
    result = read_inputs([spec], ReadContext(root=tmp_path))
    assert result.inputs[0].status is InputStatus.USED
    [parsed] = result.specs
    assert [(op.method, op.path) for op in parsed.operations] == [("GET", "/v2/PhoneNumbers/{PhoneNumber}")]


def test_an_apisix_file_whose_routes_follow_a_long_comment_is_read(tmp_path: Path) -> None:
    header = "".join(f"# change {index}: rotated upstream nodes after maintenance\n" for index in range(1500))
    config = tmp_path / "apisix.yaml"
    config.write_text(header + (FIXTURES / "apisix" / "no-end-marker.yaml").read_text())
    assert detect_kind(config, read_head(config)) is SourceKind.APISIX
    result = read_inputs([config], ReadContext(root=tmp_path))
    assert result.inputs[0].status is InputStatus.USED
    assert [route.uris for route in result.gateways[0].routes] == [("/v1/policies/*",)]


def test_an_apisix_json_file_whose_routes_follow_a_long_plugin_list_is_read(tmp_path: Path) -> None:
    plugins = [{"name": f"custom-plugin-{index}", "stream": False} for index in range(2000)]
    routes = [{"id": "policies", "uri": "/v1/policies/*", "upstream": {"nodes": {"policies:8080": 1}}}]
    config = tmp_path / "apisix.json"
    config.write_text(json.dumps({"plugins": plugins, "routes": routes}, indent=2))
    assert detect_kind(config, read_head(config)) is SourceKind.APISIX
    result = read_inputs([config], ReadContext(root=tmp_path))
    assert result.inputs[0].status is InputStatus.USED
    assert [route.uris for route in result.gateways[0].routes] == [("/v1/policies/*",)]


def test_openapi_nested_inside_a_large_json_document_does_not_make_it_a_spec(tmp_path: Path) -> None:
    records = [{"id": index, "openapi": "3.0.0", "paths": {}, "note": "x" * 80} for index in range(1000)]
    document = tmp_path / "export.json"
    document.write_text(json.dumps({"data": {"records": records}, "count": 1000}))
    assert detect_kind(document, read_head(document)) is None
    assert document_outline(read_head(document, 10**8)) == b'{"data": {}, "count": 1000}'


def test_openapi_indented_inside_a_large_yaml_document_does_not_make_it_a_spec(tmp_path: Path) -> None:
    items = "".join(f"  - name: item-{index}\n    openapi: 3.0.0\n    paths: {{}}\n" for index in range(3000))
    document = tmp_path / "catalogue.yaml"
    document.write_text("items:\n" + items)
    assert detect_kind(document, read_head(document)) is None


def test_a_json_lines_file_is_judged_by_its_first_record_only(tmp_path: Path) -> None:
    first = json.dumps({"ts": "2024-05-01T10:00:00Z", "msg": "x" * (HEAD_BYTES + 10)})
    later = json.dumps({"openapi": "3.0.0", "paths": {}})
    lines = tmp_path / "events.json"
    lines.write_text(f"{first}\n{later}\n")
    outline = document_outline(read_head(lines, 10**8))
    assert outline is not None and json.loads(outline) == json.loads(first)
    assert detect_kind(lines, read_head(lines)) is None


def test_keys_beyond_the_size_limit_are_not_looked_for(tmp_path: Path) -> None:
    spec = write(tmp_path / "lookups.json", components_first_spec())
    assert detect_kind(spec, read_head(spec), max_bytes=HEAD_BYTES + 100) is None
    assert detect_kind(spec, read_head(spec), max_bytes=spec.stat().st_size) is SourceKind.OPENAPI


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b'{"log": {"version": "1.2"', True),
        (b"\xef\xbb\xbf  {\n", True),
        (b"# generated\n---\ncomponents:\n  schemas:\n", True),
        (b"%YAML 1.2\n---\n\"openapi\": 3.1.0\n", True),
        (b"# only a licence header so far\n# and more of it\n", True),
        (b'203.0.113.9 - - [01/May/2024:10:00:00 +0000] "GET / HTTP/1.1" 200 5\n', False),
        (b"::1 - - [01/May/2024:10:00:00 +0000] \"GET / HTTP/1.1\" 200 5\n", False),
        (b"2024-05-01T10:00:00Z INFO started\n", False),
        (b"- name: a list at the top\n", False),
        (b"Some notes about the API.\n", False),
    ],
)
def test_only_a_json_object_or_yaml_mapping_head_qualifies_for_a_whole_document_look(
    head: bytes, expected: bool
) -> None:
    assert is_document_head(head) is expected


def test_a_yaml_outline_keeps_top_level_keys_and_shows_which_hold_lists(tmp_path: Path) -> None:
    document = tmp_path / "apisix.yaml"
    document.write_text(
        "# header\nupstreams_note: see below\nroutes:\n\n  # first route\n  - uri: /a\n"
        "description: |\n  text: at column two\nssls:\n- sni: a.example\n#END\n"
    )
    assert document_outline(read_head(document, 10**6)) == (
        b"upstreams_note: see below\nroutes:\n  - uri: /a\ndescription: |\nssls:\n- sni: a.example\n#END\n"
    )


def test_a_second_yaml_document_is_not_part_of_the_outline(tmp_path: Path) -> None:
    document = tmp_path / "two.yaml"
    document.write_text("kind: Notes\n---\nopenapi: 3.0.0\n")
    assert document_outline(read_head(document, 10**6)) == b"kind: Notes\n"


def moved_last(path: Path, key: str) -> bytes:
    """The spec at `path` with its top-level version key moved to the end of the document."""
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix == ".json":
        data = json.loads(text)
        data[key] = data.pop(key)
        return json.dumps(data, indent=2).encode("utf-8")
    lines = text.splitlines()
    [version_line] = [line for line in lines if line.startswith(f"{key}:")]
    lines.remove(version_line)
    return ("\n".join(lines) + f"\n{version_line}\n").encode("utf-8")


def test_every_corpus_spec_with_its_version_key_moved_last_reads_the_same(
    corpus_dir: Path, tmp_path: Path
) -> None:
    # Real specs (long descriptions, brackets and quotes in strings, escapes) rewritten into the layout
    # that defeated a head-only sniff: a file judged by its first 64 KiB would skip most of them.
    hidden = 0  # specs whose version key the rewrite pushed out of the head
    for path in sorted(path for path in (corpus_dir / "openapi").rglob("*") if path.is_file()):
        if path.stat().st_size <= HEAD_BYTES or detect_kind(path, read_head(path)) is not SourceKind.OPENAPI:
            continue  # a small file's head is all of it: moving a key cannot hide it
        found = sniff_openapi_version(read_head(path))
        assert found is not None
        key = found[0]
        original = tmp_path / "original" / path.name
        rewritten = tmp_path / "rewritten" / path.name
        for target, content in ((original, path.read_bytes()), (rewritten, moved_last(path, key))):
            target.parent.mkdir(exist_ok=True)
            target.write_bytes(content)
        hidden += not READERS[SourceKind.OPENAPI].sniff(rewritten, read_head(rewritten))
        assert detect_kind(rewritten, read_head(rewritten)) is SourceKind.OPENAPI, path.name
        [before] = read_inputs([original], ReadContext(root=original.parent)).specs
        [after] = read_inputs([rewritten], ReadContext(root=rewritten.parent)).specs
        assert [(op.method, op.path, op.security) for op in after.operations] == [
            (op.method, op.path, op.security) for op in before.operations
        ], path.name
    assert hidden >= 5


@pytest.mark.parametrize(
    "tail",
    [
        "[" + "1, " * 300_000,
        '"' + "x" * 1_000_000,
        '["' + "\\\\x" * 300_000,
        "{" * 100_000 + '"k": [' * 100_000,
    ],
    ids=["list-cut-short", "string-never-ends", "escapes-never-end", "deep-and-cut-short"],
)
def test_a_json_document_cut_short_is_judged_by_what_came_before(tmp_path: Path, tail: str) -> None:
    # A document truncated at --max-file-mb, or hostile: one linear pass, keys before the cut kept.
    document = tmp_path / "cut.json"
    document.write_text('{"openapi": "3.0.0", "info": {"title": "t"}, "x-cut": ' + tail)
    assert document_outline(read_head(document, 10**8)) == b'{"openapi": "3.0.0", "info": {}}'
