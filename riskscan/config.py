"""`riskscan.toml`: accepted risks kept beside the inputs, as an `[[exceptions]]` array of tables.

```toml
[[exceptions]]
control = "rate_limit"                        # or  finding = "RATE-002"
endpoints = ["POST /v2/brokers/applications"]  # optional: without it, every endpoint
owner = "Head of Partner Integration"
reason = "Throttled by the WAF in front of the gateway (ticket RISK-112)"
expires = 2027-03-31
```

The entries are those of the `--exceptions` YAML file, validated by the same rules
(`riskscan.controls.exceptions`); a bad entry stops the scan with one line naming the file, the line
of its `[[exceptions]]` header and the problem. The file is read from the scan root, or from
`--config`; `--exceptions` wins over it when both are given, and `exceptions_conflict` says so.
Other tables of the file are left for other settings and not read here.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from riskscan.controls.exceptions import ExceptionEntry, validate_entry
from riskscan.discovery import scan_root_for
from riskscan.errors import UsageError
from riskscan.user_files import read_user_file

__all__ = [
    "CONFIG_NAME", "exceptions_conflict", "find_config", "load_config_exceptions", "parse_config_exceptions",
]

CONFIG_NAME = "riskscan.toml"
_MAX_BYTES = 4 * 1024 * 1024
_MAX_ENTRIES = 10_000
_HEADER = re.compile(r"^\s*\[\[\s*exceptions\s*\]\]\s*(#.*)?$")
_TOML_LINE = re.compile(r"\(at line (\d+), column \d+\)")


def find_config(paths: Sequence[Path], config: Path | None = None) -> Path | None:
    """The settings file: `config` when given (it must exist), else `riskscan.toml` at the scan root of
    `paths` when there is one."""
    if config is not None:
        if not config.is_file():
            raise UsageError(f"{config.name}: --config names no readable file")
        return config
    if not paths or not all(path.exists() for path in paths):
        return None  # discovery reports missing paths in its own words
    candidate = scan_root_for(paths) / CONFIG_NAME
    return candidate if candidate.is_file() else None


def exceptions_conflict(
    exceptions: Path | None, paths: Sequence[Path], config: Path | None = None
) -> str | None:
    """The warning to print when `--exceptions` is given and the settings file (`config`, or
    riskscan.toml at the scan root of `paths`) holds exceptions too."""
    if exceptions is None:
        return None
    config = find_config(paths, config)
    if config is None or not _has_exceptions(config):
        return None
    return (f"--exceptions {exceptions.name} wins: the [[exceptions]] of {config.name} are not read "
            "(give one or the other)")


def load_config_exceptions(path: Path, control_ids: frozenset[str]) -> tuple[ExceptionEntry, ...]:
    """The validated `[[exceptions]]` of the settings file at `path` (none when it has no such array)."""
    return parse_config_exceptions(_read(path), path, control_ids)


def parse_config_exceptions(text: str, path: Path, control_ids: frozenset[str]) -> tuple[ExceptionEntry, ...]:
    """Validate the `[[exceptions]]` of settings text read from `path`; `UsageError` in one line."""
    data = _parse(text, path)
    entries = data.get("exceptions", [])
    if not isinstance(entries, list):
        raise UsageError(f"{path.name}: 'exceptions' must be an array of tables ([[exceptions]])")
    if len(entries) > _MAX_ENTRIES:
        raise UsageError(f"{path.name}: more than {_MAX_ENTRIES} exceptions")
    lines = _header_lines(text)
    if len(lines) != len(entries):  # written inline (exceptions = [{...}]): no header per entry
        lines = []
    return tuple(
        validate_entry(raw, index, path.name, lines[index] if lines else None, control_ids)
        for index, raw in enumerate(entries)
    )


def _read(path: Path) -> str:
    return read_user_file(path, "settings file", _MAX_BYTES)


def _parse(text: str, path: Path) -> dict[str, Any]:
    """The TOML document; its syntax errors name the line tomllib gives, never the text around it."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        found = _TOML_LINE.search(str(error))
        where = f"{path.name}:{found.group(1)}" if found else path.name
        problem = _TOML_LINE.sub("", str(error).splitlines()[0]).strip() or "syntax error"
        raise UsageError(f"{where}: not valid TOML ({problem})") from None
    except RecursionError:
        raise UsageError(f"{path.name}: not valid TOML (nested too deeply)") from None


def _has_exceptions(path: Path) -> bool:
    """True when the settings file holds an `exceptions` key (read errors are reported when it is used)."""
    try:
        return "exceptions" in _parse(_read(path), path)
    except UsageError:
        return True  # unreadable: say it is not read rather than stay silent


def _header_lines(text: str) -> list[int]:
    """1-based line numbers of the `[[exceptions]]` headers, in order."""
    return [number for number, line in enumerate(text.splitlines(), start=1) if _HEADER.match(line)]
