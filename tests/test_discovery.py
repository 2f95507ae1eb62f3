"""Input discovery: which files are found, and what becomes of each."""

from __future__ import annotations

import gzip
import os
import shutil
from pathlib import Path

import pytest

from riskscan.discovery import discover_files, read_inputs, scan_root_for
from riskscan.errors import InputError
from riskscan.model import InputStatus, SourceKind
from riskscan.sources import READERS, ReadContext

ESTATE = Path(__file__).resolve().parent / "fixtures" / "estate"


def test_folders_are_walked_recursively_and_tool_folders_ignored(tmp_path: Path) -> None:
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "a.yaml").write_text("openapi: 3.0.0\n")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text("[core]\n")
    (tmp_path / "node_modules").mkdir()
    (tmp_path / "node_modules" / "x.json").write_text("{}")
    found = discover_files([tmp_path])
    assert [path.relative_to(tmp_path.resolve()).as_posix() for path in found] == ["specs/a.yaml"]


def test_a_missing_path_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file or folder"):
        discover_files([tmp_path / "absent"])


def test_a_loop_of_links_is_no_file_given_or_found(tmp_path: Path) -> None:
    (tmp_path / "loop.yaml").symlink_to("loop.yaml")
    (tmp_path / "a.yaml").write_text("openapi: 3.0.0\n")
    with pytest.raises(InputError, match="loop.yaml: no such file or folder"):
        discover_files([tmp_path / "loop.yaml"])
    assert discover_files([tmp_path]) == [(tmp_path / "a.yaml").resolve()]


def test_a_path_through_a_loop_of_links_is_judged_without_raising(tmp_path: Path) -> None:
    given = tmp_path / "given"
    given.mkdir()
    (given / "loop").symlink_to("loop")
    os.symlink(tmp_path, given / "up")  # a link leaving the folder given, then a loop outside it
    (tmp_path / "outer").symlink_to("outer")
    context = ReadContext(root=given)
    assert context.is_allowed(given / "loop" / "x.yaml")  # cannot be opened: fails as a missing file
    assert context.relative_path(given / "loop") == "loop"
    assert not context.is_allowed(given / "up" / "outer" / "x.yaml")


def test_a_link_leaving_the_given_folder_is_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_text("openapi: 3.0.0\n")
    given = tmp_path / "given"
    given.mkdir()
    os.symlink(outside / "secret.yaml", given / "link.yaml")
    assert discover_files([given]) == []


def test_each_file_is_used_skipped_or_failed(tmp_path: Path) -> None:
    for name in ("specs/claims-api.yaml", "gateway/apisix.yaml"):
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((ESTATE / name).read_bytes())
    with gzip.open(tmp_path / "access.log.gz", "wb") as handle:
        handle.write((ESTATE / "logs" / "access.log").read_bytes())
    (tmp_path / "notes.md").write_text("# notes\n")
    (tmp_path / "empty.yaml").write_text("")
    (tmp_path / "blob.json").write_bytes(b"\x00\x01\x02\xff" * 64)
    (tmp_path / "bad.yaml").write_text("openapi: 3.0.0\npaths: [unclosed\n")
    context = ReadContext(root=tmp_path, allowed_roots=(tmp_path,))
    result = read_inputs(discover_files([tmp_path]), context)
    status = {record.path: (record.kind, record.status) for record in result.inputs}
    assert status["specs/claims-api.yaml"] == (SourceKind.OPENAPI, InputStatus.USED)
    assert status["gateway/apisix.yaml"] == (SourceKind.APISIX, InputStatus.USED)
    assert status["access.log.gz"] == (SourceKind.ACCESS_LOG, InputStatus.USED)
    assert status["notes.md"] == (None, InputStatus.SKIPPED)
    assert status["empty.yaml"] == (None, InputStatus.SKIPPED)
    assert status["blob.json"] == (None, InputStatus.FAILED)
    assert status["bad.yaml"] == (SourceKind.OPENAPI, InputStatus.FAILED)
    bad = next(record for record in result.inputs if record.path == "bad.yaml")
    assert bad.message is not None and bad.message.startswith("bad.yaml")
    assert len(result.specs) == 1 and len(result.gateways) == 1 and len(result.traffic) == 1


def test_scan_root_is_the_deepest_common_folder(tmp_path: Path) -> None:
    (tmp_path / "a" / "x").mkdir(parents=True)
    (tmp_path / "a" / "y").mkdir()
    (tmp_path / "a" / "y" / "f.yaml").write_text("x: 1\n")
    assert scan_root_for([tmp_path / "a" / "x", tmp_path / "a" / "y" / "f.yaml"]) == (tmp_path / "a").resolve()


def test_files_a_spec_pulls_in_are_marked_used_by_that_spec(tmp_path: Path) -> None:
    split = Path(__file__).resolve().parent / "fixtures" / "openapi" / "split"
    shutil.copytree(split, tmp_path / "split")
    context = ReadContext(root=tmp_path, allowed_roots=(tmp_path,))
    result = read_inputs(discover_files([tmp_path]), context)
    records = {record.path: record for record in result.inputs}
    assert records["split/root.yaml"].status is InputStatus.USED
    for fragment in ("split/paths/claims.yaml", "split/common/parameters.yaml", "split/schemas/Claim.json"):
        assert (records[fragment].status, records[fragment].kind) == (InputStatus.USED, SourceKind.OPENAPI)
        assert records[fragment].message == "referenced by split/root.yaml"
    assert len(result.specs) == 1


def test_an_unexpected_reader_error_fails_that_file_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A reader bug on one hostile file is reported on that file; the others are still read."""
    (tmp_path / "a.yaml").write_text("openapi: 3.0.0\ninfo: {title: A, version: '1'}\npaths: {}\n")
    (tmp_path / "b.log").write_text('192.0.2.1 - - [09/Nov/2026:10:00:00 +0000] "GET /x HTTP/1.1" 200 5 "-" "ua"\n')

    class Exploding:
        kind = SourceKind.OPENAPI
        sniff = READERS[SourceKind.OPENAPI].sniff

        def read(self, path: Path, context: ReadContext) -> object:
            raise ValueError("secret-looking text PLANTED-9911 from the input")

    monkeypatch.setitem(READERS, SourceKind.OPENAPI, Exploding())
    inputs = read_inputs(discover_files([tmp_path]), ReadContext(root=tmp_path))
    status = {item.path: item for item in inputs.inputs}
    assert status["a.yaml"].status is InputStatus.FAILED
    assert status["a.yaml"].message == "a.yaml: could not be read (unexpected ValueError, a riskscan bug; --debug shows more)"
    assert "PLANTED-9911" not in repr(inputs)
    assert status["b.log"].status is InputStatus.USED


OPENAPI_FIXTURES = Path(__file__).resolve().parent / "fixtures" / "openapi"


def test_a_spec_with_some_path_files_missing_is_used_and_says_how_many_and_why(tmp_path: Path) -> None:
    shutil.copytree(OPENAPI_FIXTURES / "missing-path-files", tmp_path / "api")
    [record] = read_inputs([tmp_path / "api" / "root.yaml"], ReadContext(root=tmp_path)).inputs
    assert (record.status, record.kind) == (InputStatus.USED, SourceKind.OPENAPI)
    assert record.message is not None
    assert record.message.startswith(
        "2 of 3 paths could not be read (first: api/root.yaml:11: $ref 'paths/policy.yaml'"
    )


def test_a_spec_none_of_whose_path_files_exist_is_failed_not_used(tmp_path: Path) -> None:
    shutil.copy(OPENAPI_FIXTURES / "broken" / "all-path-files-missing.yaml", tmp_path / "claims.yaml")
    result = read_inputs([tmp_path / "claims.yaml"], ReadContext(root=tmp_path))
    [record] = result.inputs
    assert (record.status, record.kind) == (InputStatus.FAILED, SourceKind.OPENAPI)
    assert record.message is not None
    assert record.message.startswith(
        "claims.yaml:6: broken OpenAPI spec: no operation could be read: 2 of 2 paths"
    )
    assert "names a file that does not exist" in record.message
    assert result.specs == ()


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("openapi: 3.0.3\ninfo: {title: t, version: '1'}\n", "broken OpenAPI spec: no 'paths' section"),
        ("openapi: 3.0.3\npaths: [/a, /b]\n", "broken OpenAPI spec: 'paths' is a list, not a mapping"),
        ('swagger: "2.0"\ninfo: {title: t, version: "1"}\n', "broken OpenAPI spec: no 'paths' section"),
        ("openapi: 3.1.0\ninfo: {title: t, version: '1'}\n", "broken OpenAPI spec: no 'paths', 'components'"),
        ("openapi: 4.0.0\npaths: {}\n", "unsupported OpenAPI version '4.0.0'"),
        ("openapi: 2.0\npaths: {}\n", "unsupported OpenAPI version '2.0'"),
    ],
)
def test_an_invalid_spec_is_failed_with_its_reason_not_skipped(
    tmp_path: Path, text: str, problem: str
) -> None:
    (tmp_path / "spec.yaml").write_text(text)
    [record] = read_inputs([tmp_path / "spec.yaml"], ReadContext(root=tmp_path)).inputs
    assert (record.status, record.kind) == (InputStatus.FAILED, SourceKind.OPENAPI)
    assert record.message is not None and record.message.startswith("spec.yaml:")
    assert problem in record.message
