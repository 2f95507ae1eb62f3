"""The source registry: every input kind has a reader, and kinds are judged by content."""

from __future__ import annotations

from pathlib import Path

from riskscan.model import SourceKind
from riskscan.sources import READERS, detect_kind, read_head

ESTATE = Path(__file__).resolve().parents[1] / "fixtures" / "estate"


def test_every_source_kind_has_a_reader() -> None:
    assert set(READERS) == set(SourceKind)
    for kind, reader in READERS.items():
        assert reader.kind is kind


def test_kinds_are_detected_from_content_not_names(tmp_path: Path) -> None:
    for source, kind in [
        (ESTATE / "specs" / "claims-api.yaml", SourceKind.OPENAPI),
        (ESTATE / "gateway" / "apisix.yaml", SourceKind.APISIX),
        (ESTATE / "logs" / "access.log", SourceKind.ACCESS_LOG),
    ]:
        disguised = tmp_path / f"{kind.value}.txt"
        disguised.write_bytes(source.read_bytes())
        assert detect_kind(disguised, read_head(disguised)) is kind


def test_unknown_content_has_no_kind(tmp_path: Path) -> None:
    notes = tmp_path / "notes.yaml"
    notes.write_text("shopping:\n  - milk\n  - bread\n")
    assert detect_kind(notes, read_head(notes)) is None
