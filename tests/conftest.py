"""Shared test fixtures: the repository root and the shared real-world corpus."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings

# Property tests judge behaviour, never speed: hypothesis's per-example deadline is a wall-clock
# assertion, which a shared or busy machine fails for no fault of the code.
settings.register_profile("riskscan", deadline=None)
settings.load_profile("riskscan")

REPO_ROOT = Path(__file__).resolve().parents[1]
CORPUS_DIR = REPO_ROOT.parent / "shared" / "corpus"
CORPUS_MISSING = (
    "the shared real-world corpus (../shared/corpus, a folder beside this checkout) is not present;"
    " these tests scan real public specs, gateway configs and logs from it, and run when it is there"
)


@pytest.fixture
def repo_root() -> Path:
    """The repository root (where README.md and examples/ are)."""
    return REPO_ROOT


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """`../shared/corpus` beside the checkout; tests that use it skip, saying so, when it is absent."""
    if not CORPUS_DIR.is_dir():
        pytest.skip(CORPUS_MISSING)
    return CORPUS_DIR
