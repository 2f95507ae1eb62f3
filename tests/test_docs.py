"""The README tells the truth: its commands, options and exit codes are the real ones."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from riskscan import cli

REPO_ROOT = Path(__file__).resolve().parents[1]
README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")


def readme_commands() -> list[str]:
    """The commands in the README's 'Set up' section, one per fenced block."""
    section = README.split("## Set up", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in re.findall(r"```sh\n(.*?)```", section, re.DOTALL)]


def test_setup_has_exactly_two_commands() -> None:
    commands = readme_commands()
    assert len(commands) == 2
    assert "riskscan scan examples/" in commands[0]
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    ci_script = (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert readme_commands()[1] in ci_script.splitlines()


def test_ci_builds_a_fresh_virtual_environment_before_the_test_command() -> None:
    # A green run on a machine with older packages installed hid a PyYAML release that broke us:
    # CI must install into an empty environment every time, then run the README's command in it.
    lines = (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    creates = next(i for i, line in enumerate(lines) if re.search(r"-m venv \S", line))
    activates = next(i for i, line in enumerate(lines) if re.search(r"(source|\.) \S*/bin/activate", line))
    runs = lines.index(readme_commands()[1])
    assert creates < activates < runs
    assert any("mktemp -d" in line for line in lines[:creates + 1]), "the environment must be new each run"


def test_demo_folder_named_in_the_readme_exists() -> None:
    folder = re.search(r"riskscan scan (examples/[\w-]+)", readme_commands()[0])
    assert folder is not None
    assert (REPO_ROOT / folder.group(1)).is_dir()


def test_documented_scan_options_exist() -> None:
    result = subprocess.run([sys.executable, "-m", "riskscan", "scan", "--help"], capture_output=True,
                            text=True, timeout=60, env={**os.environ, "COLUMNS": "200", "TERM": "dumb"}, check=False)
    usage = README.split("## Usage", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"(--[a-z][a-z-]+)", usage.split("riskscan history")[0]))
    assert documented, "the README documents no options"
    for option in documented:
        assert option in result.stdout, option


def test_documented_exit_codes_match_the_cli() -> None:
    table = dict(re.findall(r"^\| (\d) \| (.+?) \|$", README, re.MULTILINE))
    assert table.keys() == {"0", "1", "2", "3"}
    assert "--fail-on" in table[str(cli.EXIT_FINDINGS)]
    assert "usage or input error" in table[str(cli.EXIT_USAGE)]
    assert "internal error" in table[str(cli.EXIT_INTERNAL)]


def readme_input_kinds() -> dict[str, str]:
    """The README's input table: kind id -> 'what it is' cell."""
    section = README.split("## Input kinds", 1)[1].split("\n## ", 1)[0]
    return dict(re.findall(r"^\| `([a-z_]+)` \| (.+?) \|", section, re.MULTILINE))


def test_the_readme_input_table_lists_every_kind_riskscan_reads_as_riskscan_sources_names_it() -> None:
    from riskscan.sources import READERS

    assert readme_input_kinds() == {kind.value: reader.title for kind, reader in READERS.items()}


def test_riskscan_sources_prints_one_line_per_kind() -> None:
    result = subprocess.run([sys.executable, "-m", "riskscan", "sources"], capture_output=True, text=True,
                            timeout=60, check=True)
    lines = result.stdout.splitlines()
    kinds = readme_input_kinds()
    assert [line.split("\t")[0] for line in lines] == list(kinds)
    assert all(line.split("\t")[1] == kinds[line.split("\t")[0]] and line.split("\t")[2] for line in lines)
