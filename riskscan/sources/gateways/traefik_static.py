"""Traefik's static configuration, where access logs, metrics and tracing are switched on.

A dynamic file cannot show whether requests are logged: `accessLog`, `metrics` and `tracing` live in
the static configuration (`traefik.yml`, `traefik.yaml` or `traefik.toml`, the names Traefik looks
for). When exactly one such file, with `entryPoints` or `providers` at its top level, lies inside the
folders given (`ReadContext.is_allowed`, never elsewhere), it is taken as the static configuration of
the dynamic files scanned beside it; with none, logging stays not shown, and with several it is
ambiguous, so it stays not shown too (the caller warns). The walk is bounded like `gateway_lookup`'s.
Its credentials written in clear (`traefik_secrets`: provider tokens, ACME EAB keys, exporter tokens and
URLs) are recorded by place and reported with each dynamic file read beside it.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from riskscan.errors import SourceError
from riskscan.model import Evidence
from riskscan.sources import ReadContext
from riskscan.sources.gateways.traefik_secrets import clear_secret_pointers, clear_secrets
from riskscan.sources.structured import StructuredDocument, load_structured, load_text, parse_structured_text

__all__ = ["FILE_NAMES", "StaticConfig", "find_static_config", "parse_static_text", "static_config",
           "static_file_secrets"]

FILE_NAMES = ("traefik.toml", "traefik.yaml", "traefik.yml")
"""The names of the static configuration file, in the order Traefik looks for them in a folder."""
_MAX_TEXT_CHARS = 1 << 20  # a static file held in a ConfigMap: more than a ConfigMap holds
_MAX_FILES = 5000
_IGNORED_DIRS = frozenset({".git", ".hg", ".svn", "__pycache__", "node_modules", ".venv", ".tox"})
_MONITORS = (("metrics", "metrics"), ("tracing", "tracing"))


@dataclass(frozen=True)
class StaticConfig:
    """What the static configuration says about logging: where, and which entry points opt out."""

    shown: str  # the file, as users see it
    has_access_log: bool
    monitors: tuple[str, ...]  # "metrics", "tracing" when configured
    unlogged_entry_points: frozenset[str]  # entryPoints.<name>.observability.accessLogs: false (v3.1+)
    # Entry points whose plain requests never reach a router: TLS by default (`http.tls`) or redirected
    # to https (`http.redirections.entryPoint`); every entry point named, for routers that name none.
    secure_entry_points: frozenset[str] = frozenset()
    entry_points: frozenset[str] = frozenset()
    clear_secrets: tuple[Evidence, ...] = ()  # credentials written in clear, by place
    # Where the settings are written when they are a container's command-line options or environment
    # variables rather than a file of their own (`/services/traefik/command`); None for a file.
    place: str | None = None
    warnings: tuple[str, ...] = ()  # what was ignored in choosing it (variables beside options)
    line: int | None = None  # where `place` is written, when the file is a ConfigMap's key


def find_static_config(context: ReadContext) -> StaticConfig | str | None:
    """The one static configuration in the folders given, a warning when there are several, else None."""
    found: list[StaticConfig] = []
    for path in _candidates(context):
        config = _read(path, context)
        if config is not None:
            found.append(config)
    if len(found) > 1:
        names = ", ".join(config.shown for config in found[:3])
        return f"several Traefik static configurations ({names}): access logging is not shown"
    return found[0] if found else None


def _candidates(context: ReadContext) -> Iterator[Path]:
    seen = 0
    for root in context.allowed_roots or (context.root,):
        for folder, dirs, files in os.walk(root):
            dirs[:] = sorted(name for name in dirs if name not in _IGNORED_DIRS)
            seen += len(files)
            if seen > _MAX_FILES:
                return
            for name in sorted(files):
                path = Path(folder) / name
                if name.lower() in FILE_NAMES and context.is_allowed(path):
                    yield path


def _read(path: Path, context: ReadContext) -> StaticConfig | None:
    """A static configuration's logging settings; None when the file is not one or cannot be read."""
    document: StructuredDocument | None = None
    try:
        if path.suffix.lower() == ".toml":
            data: Any = tomllib.loads(load_text(path, context))
        else:
            document = load_structured(path, context)
            data = document.data
    except (SourceError, tomllib.TOMLDecodeError, OSError):
        return None
    if not isinstance(data, Mapping):
        return None
    # TOML keeps no lines: the pointer alone places it.
    return static_config(data, context.relative_path(path), document.line_of if document else lambda _: None)


def parse_static_text(written: str, name: str, shown: str) -> object:
    """A static configuration file's text (a ConfigMap's value) parsed as the file `name` would be: TOML
    by its suffix, else YAML or JSON; None when it does not parse or is over 1 MiB."""
    if len(written) > _MAX_TEXT_CHARS:
        return None
    try:
        if name.lower().endswith(".toml"):
            return tomllib.loads(written)
        return parse_structured_text(written, Path(name), shown).data
    except (SourceError, tomllib.TOMLDecodeError, RecursionError):
        return None


def static_file_secrets(key: str, value: object) -> list[tuple[str, str]]:
    """(pointer inside the value, what) of each credential written in clear in a ConfigMap value named as
    the static configuration file (`traefik.yml`): provider tokens, ACME EAB keys, exporter tokens, as in
    a static file on disk."""
    if key.lower() not in FILE_NAMES or not isinstance(value, str):
        return []
    data = parse_static_text(value, key, key)
    if not isinstance(data, Mapping) or not ({"entryPoints", "providers"} & set(data)):
        return []
    return clear_secret_pointers(data)


def static_config(data: Mapping[str, Any], shown: str, line: Callable[[str], int | None],
                  place: str | None = None) -> StaticConfig | None:
    """What static configuration `data` (with `entryPoints` or `providers`) sets; None for other data.
    With `place` (command-line options) its credentials are left to the reader of the file holding them."""
    if not ({"entryPoints", "providers"} & set(data)):
        return None
    entry_points = data.get("entryPoints")
    unlogged = frozenset(
        str(name) for name, settings in (entry_points.items() if isinstance(entry_points, Mapping) else ())
        if isinstance(settings, Mapping) and isinstance(settings.get("observability"), Mapping)
        and settings["observability"].get("accessLogs") is False
    )
    named = entry_points.items() if isinstance(entry_points, Mapping) else ()
    return StaticConfig(
        shown=shown,
        has_access_log="accessLog" in data and data["accessLog"] is not False,
        monitors=tuple(name for key, name in _MONITORS if data.get(key) not in (None, False)),
        unlogged_entry_points=unlogged,
        secure_entry_points=frozenset(str(name) for name, settings in named if _is_secure(settings)),
        entry_points=frozenset(str(name) for name, _ in named),
        clear_secrets=() if place else clear_secrets(data, shown, line, " in the static configuration"),
        place=place,
    )


def _is_secure(settings: object) -> bool:
    """An entry point with default TLS (`http.tls`) or redirecting to another entry point over https
    (`http.redirections.entryPoint`, scheme https by default)."""
    http = settings.get("http") if isinstance(settings, Mapping) else None
    if not isinstance(http, Mapping):
        return False
    if http.get("tls") not in (None, False):
        return True
    redirect = http.get("redirections")
    target = redirect.get("entryPoint") if isinstance(redirect, Mapping) else None
    return isinstance(target, Mapping) and str(target.get("scheme", "https")).lower() == "https"
