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


# What `riskscan --help` (and `version`, and a usage error) need is typer and the enumerations offered as
# choices: the model, the readers, the controls and the report stack load when a command runs. (Typer
# itself loads pydantic while building a command's options, when pydantic is installed.)
_NOT_FOR_HELP = ("riskscan.model", "riskscan.pipeline", "riskscan.sources", "riskscan.controls", "riskscan.report",
                 "riskscan.history", "riskscan.underwriting", "jinja2", "weasyprint", "httpx", "yaml")


def test_help_loads_no_model_reader_control_or_report() -> None:
    code = ("import sys\nfrom typer.testing import CliRunner\nfrom riskscan.cli import app\n"
            "result = CliRunner().invoke(app, ['scan', '--help'])\n"
            "assert result.exit_code == 0 and '--fail-on' in result.output, result.output\n"
            f"print(sorted(m for m in {_NOT_FOR_HELP!r} if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert result.stdout.strip() == "[]"
