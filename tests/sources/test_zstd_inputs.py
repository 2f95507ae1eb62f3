"""zstd-compressed inputs are judged and read by content, like gzip: the head is inflated for sniffing
(bounded), and a spec or config is unpacked whole (bounded, a corrupt stream one clear line)."""

from __future__ import annotations

from pathlib import Path

import pytest
import zstandard

from riskscan.errors import SourceError
from riskscan.model import SourceKind
from riskscan.sources import ReadContext, detect_kind, read_head
from riskscan.sources.structured import load_text

ESTATE = Path(__file__).resolve().parents[1] / "fixtures" / "estate"


def squeeze(tmp_path: Path, source: Path, name: str, cut: int | None = None) -> Path:
    data = zstandard.ZstdCompressor().compress(source.read_bytes())
    path = tmp_path / name
    path.write_bytes(data[:cut] if cut else data)
    return path


@pytest.mark.parametrize(("source", "kind"), [
    (ESTATE / "specs" / "claims-api.yaml", SourceKind.OPENAPI),
    (ESTATE / "gateway" / "apisix.yaml", SourceKind.APISIX),
    (ESTATE / "logs" / "access.log", SourceKind.ACCESS_LOG),
])
def test_zstd_inputs_are_detected_by_their_inflated_head(tmp_path: Path, source: Path, kind: SourceKind) -> None:
    path = squeeze(tmp_path, source, "input.bin")
    assert detect_kind(path, read_head(path)) is kind


def test_a_zstd_spec_is_unpacked_whole(tmp_path: Path) -> None:
    path = squeeze(tmp_path, ESTATE / "specs" / "claims-api.yaml", "claims.yaml.zst")
    assert load_text(path, ReadContext(root=tmp_path)) == (ESTATE / "specs" / "claims-api.yaml").read_text()


def test_a_truncated_zstd_spec_is_one_clear_line(tmp_path: Path) -> None:
    path = squeeze(tmp_path, ESTATE / "specs" / "claims-api.yaml", "claims.yaml.zst", cut=200)
    with pytest.raises(SourceError, match=r"^claims.yaml.zst: corrupt or truncated zstd data$"):
        load_text(path, ReadContext(root=tmp_path))


def test_a_zstd_bomb_is_refused_at_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml.zst"
    path.write_bytes(zstandard.ZstdCompressor(level=19).compress(b"a: 1\n" * (4 << 20)))
    with pytest.raises(SourceError, match="over the 1048576-byte limit once unpacked"):
        load_text(path, ReadContext(root=tmp_path, max_bytes=1 << 20))
