"""`riskscan --help` stays fast: libraries only some inputs need are imported when those are read."""

from __future__ import annotations

import subprocess
import sys

import pytest

# The traffic engine (Polars), the Spark engine and the GraphQL parser: each costs a fifth of a second
# or more to import, and a scan of specs and gateway configs alone needs none of them. sqlite-utils
# (with the numpy it loads when present) is needed only once a scan is recorded or listed.
_LAZY = ("polars", "pyspark", "graphql", "sqlite_utils", "numpy")


@pytest.mark.parametrize("module", _LAZY)
def test_the_cli_imports_no_input_only_library(module: str) -> None:
    code = f"import sys, riskscan.cli, riskscan.pipeline; print({module!r} in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert result.stdout.strip() == "False"
