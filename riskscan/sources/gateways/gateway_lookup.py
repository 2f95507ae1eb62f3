"""Finding the `Gateway` an `HTTPRoute` attaches to, in its own file or another manifest of the scan.

Gateway API manifests are often split: the platform team's `gateway.yaml`, each application's routes
beside its code. A route's parent is looked up first in its own file, then among the YAML and JSON
files inside the folders the user gave (`ReadContext.is_allowed`: never elsewhere). Only files whose
text declares `kind: Gateway` are parsed, each at most once per version (path, size, time), and the
walk is bounded (`_MAX_FILES`), so a large tree costs one listing per scanned route file at most.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from riskscan.errors import SourceError
from riskscan.sources import ReadContext
from riskscan.sources.gateways.declared_kinds import declares_kind
from riskscan.sources.gateways.gateway_api_listeners import ParentGateway, parent_gateway
from riskscan.sources.gateways.kubernetes_objects import collect_objects
from riskscan.sources.structured import load_structured_documents

__all__ = ["GatewayIndex", "OtherFile", "candidate_files", "other_files"]

_MAX_FILES = 5000
_SUFFIXES = frozenset({".yaml", ".yml", ".json"})
_IGNORED_DIRS = frozenset({".git", ".hg", ".svn", "__pycache__", "node_modules", ".venv", ".tox"})


class GatewayIndex:
    """Gateways by namespace and name: those of the file being read, then those elsewhere in the scan."""

    def __init__(self, local: list[ParentGateway], path: Path, context: ReadContext) -> None:
        self._local = {(gateway.namespace, gateway.name): gateway for gateway in local}
        self._path = path.resolve()
        self._context = context
        self._others: dict[tuple[str, str], ParentGateway] | None = None

    def find(self, namespace: str, name: str) -> ParentGateway | None:
        """The Gateway named, or None when no file given declares it."""
        key = (namespace, name)
        if key in self._local:
            return self._local[key]
        if self._others is None:
            self._others = {}
            for gateway in self._elsewhere():
                self._others.setdefault((gateway.namespace, gateway.name), gateway)
        return self._others.get(key)

    def _elsewhere(self) -> Iterator[ParentGateway]:
        for other in other_files(self._path, self._context):
            yield from _gateways_in(str(other.path), other.size, other.mtime_ns, self._context.max_bytes)


@dataclass(frozen=True)
class OtherFile:
    """A file of the scan beside the one being read, with what the per-file caches key on (a file
    changed since is read again)."""

    path: Path
    size: int
    mtime_ns: int
    shown: str  # as reports name it


def other_files(path: Path, context: ReadContext) -> Iterator[OtherFile]:
    """The scan's YAML and JSON files but `path` that a reader may look into: allowed, readable and
    within the size cap."""
    me = path.resolve()
    for file in candidate_files(context):
        if file == me or not context.is_allowed(file):
            continue
        try:
            stat = file.stat()
        except OSError:
            continue
        if stat.st_size <= context.max_bytes:
            yield OtherFile(file, stat.st_size, stat.st_mtime_ns, context.relative_path(file))


def candidate_files(context: ReadContext) -> Iterator[Path]:
    """YAML and JSON files under the allowed roots, at most `_MAX_FILES` of them. A name that is no file
    (a link to nothing, a loop of links) is passed over, as discovery passes it over."""
    seen = 0
    for root in context.allowed_roots or (context.root,):
        for folder, dirs, files in os.walk(root):
            dirs[:] = sorted(name for name in dirs if name not in _IGNORED_DIRS)
            for name in sorted(files):
                if Path(name).suffix.lower() in _SUFFIXES:
                    seen += 1
                    if seen > _MAX_FILES:
                        return
                    file = Path(folder) / name
                    if file.is_file():
                        yield file.resolve()


@lru_cache(maxsize=1024)
def _gateways_in(file: str, size: int, mtime_ns: int, max_bytes: int) -> tuple[ParentGateway, ...]:
    """The Gateways one file declares (none when it is unreadable: it is reported on its own)."""
    path = Path(file)
    try:
        if not declares_kind(path.read_bytes(), "Gateway"):
            return ()
        documents = load_structured_documents(path, ReadContext(root=path.parent, max_bytes=max_bytes))
    except (OSError, SourceError):
        return ()
    objects, _ = collect_objects(documents, path.name, lambda message: None)
    return tuple(parent_gateway(item) for item in objects if item.kind == "Gateway")
