"""Shared test fixtures: the repository root and the shared real-world corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
CORPUS_DIR = REPO_ROOT.parent / "shared" / "corpus"


@pytest.fixture
def repo_root() -> Path:
    """The repository root (where README.md and examples/ are)."""
    return REPO_ROOT


@pytest.fixture
def corpus_dir() -> Path:
    """`../shared/corpus` beside the checkout; tests that use it skip when it is absent."""
    if not CORPUS_DIR.is_dir():
        pytest.skip("../shared/corpus is not present")
    return CORPUS_DIR
