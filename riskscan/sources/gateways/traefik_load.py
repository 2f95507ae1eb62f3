"""Loading a Traefik dynamic configuration file: TOML by tomllib, YAML and JSON by `structured`, each
with a line finder by JSON pointer for evidence (TOML: the line of the nearest table header)."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from riskscan.errors import SourceError
from riskscan.sources import ReadContext
from riskscan.sources.structured import escape_pointer_token, load_text, parse_structured_text

__all__ = ["TOML_SECTION", "TraefikError", "load_dynamic"]

TOML_SECTION = re.compile(rb"^[ \t]*\[\[?[ \t]*http\.(?:routers|middlewares|services)\b", re.MULTILINE)
"""A TOML table of the dynamic configuration's `http` section."""
_TOML_HEADER = re.compile(r"^[ \t]*\[\[?([^\]]+)\]\]?[ \t]*(?:#.*)?$")


class TraefikError(SourceError):
    """A Traefik dynamic configuration file that cannot be read."""


_Located = tuple[Mapping[str, Any], Callable[[str], int | None]]


def load_dynamic(path: Path, context: ReadContext, shown: str) -> _Located:
    """The file's data and a line finder by JSON pointer: TOML by tomllib, YAML and JSON by `structured`."""
    try:
        text = load_text(path, context)
    except SourceError as error:
        raise TraefikError(error.problem, path=error.path, line=error.line) from None
    if path.suffix.lower() == ".toml" or TOML_SECTION.search(text[:65536].encode()) is not None:
        try:
            data: Any = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            line = re.search(r"at line (\d+)", str(error))
            number = int(line.group(1)) if line else None
            raise TraefikError("not valid TOML", path=shown, line=number) from None
        return data, _toml_locator(text)
    try:
        document = parse_structured_text(text, path, shown)
    except SourceError as error:
        raise TraefikError(error.problem, path=error.path, line=error.line) from None
    if not isinstance(document.data, Mapping):
        raise TraefikError("the configuration is not a mapping", path=shown)
    return document.data, document.line_of


def _toml_locator(text: str) -> Callable[[str], int | None]:
    """Lines of TOML table headers (`[http.routers.api]`) by pointer, the nearest parent when not a table."""
    lines: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        match = _TOML_HEADER.match(line)
        if match:
            keys = [escape_pointer_token(key.strip().strip("\"'")) for key in match.group(1).split(".")]
            for end in range(1, len(keys) + 1):  # `[a.b.c]` is where `a.b` first shows, too
                lines.setdefault("/" + "/".join(keys[:end]), number)

    def locate(pointer: str) -> int | None:
        while pointer:
            if pointer in lines:
                return lines[pointer]
            pointer = pointer.rsplit("/", 1)[0]
        return None

    return locate
