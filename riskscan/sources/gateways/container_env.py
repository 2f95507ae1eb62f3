"""A Kubernetes container's environment as Kubernetes builds it: how gateways in a cluster are configured.

Read as the Kubernetes reference defines a container's `env` and `envFrom`:
- an `env` entry `{name, value}` holds its value as written; one with `valueFrom` takes it from
  elsewhere (`secretKeyRef`, `fieldRef`, `resourceFieldRef`): a reference, never a credential. A
  `configMapKeyRef` to a ConfigMap of the scan is read from that ConfigMap's key, at its own place;
- an `envFrom` entry names a whole ConfigMap (`configMapRef`) or Secret (`secretRef`), each key a
  variable, behind an optional `prefix`. A ConfigMap of the same namespace in the scan (the file being
  read first, then the other YAML and JSON files given) gives its `data` keys at their own place; a
  Secret named there is a reference, never read;
- a variable of `env` overrides one of `envFrom`; among `envFrom` sources the last one listed wins;
  each source is read once, and at most `MAX_ENV_SOURCES` of them (a warning counts the others), so a
  hostile list costs no more than a long one; of at most 500 variables, `env`'s are kept first;
- `$(VAR)` in an `env` value is expanded by Kubernetes when the container starts, from the variables
  defined before it (`envFrom`'s, then earlier `env` entries): expanded here the same way (`_expand`);
  one naming a variable the file does not define, or whose value is unknown, makes the value unknown.
A reference's value is None: callers say what they cannot judge, and never count it as written out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from riskscan.errors import SourceError
from riskscan.sources import ReadContext
from riskscan.sources.gateways.declared_kinds import declares_kind
from riskscan.sources.gateways.gateway_lookup import other_files
from riskscan.sources.gateways.kubernetes_objects import KubeObject, mapping, text
from riskscan.sources.gateways.kubernetes_secrets import document_objects
from riskscan.sources.structured import StructuredDocument, escape_pointer_token, load_structured_documents

__all__ = ["MAX_ENV_SOURCES", "ConfigMaps", "EnvSources", "EnvVariable", "container_env", "env_from_sources",
           "env_from_warning"]

_MAX_VARIABLES = 500
_EXPANSION = re.compile(r"\$\$|\$\(([^)]*)\)")  # Kubernetes' `$$` escape and `$(VAR)` reference
MAX_ENV_SOURCES = 100
"""How many distinct `envFrom` sources of one container are read."""


class EnvVariable(NamedTuple):
    """One variable of a container's environment: its value (None when taken by reference), and the
    file, line and JSON pointer where it is written (a ConfigMap key's, for one taken from a ConfigMap).
    `expanded`: the value was written with `$(VAR)` references to variables defined before it, expanded
    as Kubernetes expands them; what it holds is then written elsewhere (a credential is judged there)."""

    name: str
    value: str | None
    shown: str
    line: int | None
    pointer: str
    expanded: bool = False


_ConfigMap = dict[str, EnvVariable]  # data key -> the key as a variable named after it


class ConfigMaps:
    """ConfigMaps by namespace and name: the file being read's, then (with `path` and `context`) those of
    the scan's other files, looked into only when a container names one the file does not hold."""

    def __init__(self, documents: list[StructuredDocument], shown: str, path: Path | None = None,
                 context: ReadContext | None = None) -> None:
        self._local = dict(_config_maps(documents, shown))
        self._path, self._context = path, context
        self._others: dict[tuple[str, str], _ConfigMap] | None = None

    def find(self, namespace: str, name: str) -> _ConfigMap | None:
        """The ConfigMap named, or None when no file given holds it."""
        key = (namespace, name)
        if key in self._local or self._path is None or self._context is None:
            return self._local.get(key)
        if self._others is None:
            self._others = {}
            for other in other_files(self._path, self._context):
                for found, config_map in _config_maps_in(str(other.path), other.size, other.mtime_ns,
                                                         self._context.max_bytes, other.shown):
                    self._others.setdefault(found, config_map)
        return self._others.get(key)


def container_env(item: KubeObject, pointer: str, container: Mapping[str, Any],
                  config_maps: ConfigMaps) -> list[EnvVariable]:
    """The variables of one container (`pointer`: its place below `item`), `env` over `envFrom`: at most
    `_MAX_VARIABLES`, the `env` entries first (a large ConfigMap never pushes one out)."""
    taken: dict[str, EnvVariable] = {}
    for index, source in env_from_sources(container).entries:
        place = f"{pointer}/envFrom/{index}"
        taken.update((found.name, found) for found in _from_source(item, place, source, config_maps))
    # What `$(VAR)` may name: envFrom's variables, then each `env` entry once it is defined.
    defined = {name: found.value for name, found in taken.items()}
    explicit: dict[str, EnvVariable] = {}
    for index, entry in _entries(container.get("env")):
        name = text(entry.get("name"))
        if name and (name in explicit or len(explicit) < _MAX_VARIABLES):
            explicit[name] = _variable(item, f"{pointer}/env/{index}", entry, config_maps, defined)
            defined[name] = explicit[name].value
    room = _MAX_VARIABLES - len(explicit)
    return [found for name, found in taken.items() if name not in explicit][:room] + list(explicit.values())


class EnvSources(NamedTuple):
    """A container's `envFrom` sources as read: each (ConfigMap or Secret, prefix) once, at its last
    listing (the last one listed wins), at most `MAX_ENV_SOURCES`; `dropped` counts those past it."""

    entries: list[tuple[int, Mapping[str, Any]]]  # (index in `envFrom`, entry)
    dropped: int


def env_from_sources(container: Mapping[str, Any]) -> EnvSources:
    """The `envFrom` entries read (see `EnvSources`): a list repeating one ConfigMap thousands of times
    costs one reading of it, and thousands of distinct ones cost `MAX_ENV_SOURCES` readings."""
    last: dict[tuple[str, str, str], tuple[int, Mapping[str, Any]]] = {}
    for index, source in _entries(container.get("envFrom")):
        key = (text(mapping(source.get("configMapRef")).get("name")),
               text(mapping(source.get("secretRef")).get("name")), text(source.get("prefix")))
        last.pop(key, None)
        last[key] = (index, source)
    entries = list(last.values())  # in the order of their last listing
    return EnvSources(entries[:MAX_ENV_SOURCES], max(0, len(entries) - MAX_ENV_SOURCES))


def env_from_warning(container: Mapping[str, Any]) -> str | None:
    """The warning for a container listing more `envFrom` sources than are read; None otherwise."""
    dropped = env_from_sources(container).dropped
    if not dropped:
        return None
    return (f"{dropped} envFrom source(s) past the first {MAX_ENV_SOURCES} not read: a setting they hold is"
            " unknown")


def _entries(value: object) -> list[tuple[int, Mapping[str, Any]]]:
    """The mappings of a list, each with its index in the list (a pointer names it so)."""
    if not isinstance(value, list):
        return []
    return [(index, entry) for index, entry in enumerate(value) if isinstance(entry, dict)]


def _variable(item: KubeObject, place: str, entry: Mapping[str, Any], config_maps: ConfigMaps,
              defined: Mapping[str, str | None]) -> EnvVariable:
    """One `env` entry: its literal value (`$(VAR)` expanded from `defined`), a ConfigMap key it names,
    or a reference (None)."""
    name = text(entry.get("name"))
    if "valueFrom" not in entry:
        value = entry.get("value")
        literal = text(value) if value is not None else ""
        refers = any(match[1] is not None for match in _EXPANSION.finditer(literal))
        value = _expand(literal, defined) if "$" in literal else literal
        return EnvVariable(name, value, item.shown, item.line(f"{place}/value"), item.pointer + f"{place}/value",
                           refers)
    reference = mapping(mapping(entry.get("valueFrom")).get("configMapKeyRef"))
    config_map = config_maps.find(item.namespace, text(reference.get("name"))) if reference else None
    found = config_map.get(text(reference.get("key"))) if config_map is not None else None
    if found is not None:
        return found._replace(name=name)
    return EnvVariable(name, None, item.shown, item.line(f"{place}/valueFrom"),
                       item.pointer + f"{place}/valueFrom")


def _expand(value: str, defined: Mapping[str, str | None]) -> str | None:
    """`value` with each `$(VAR)` replaced by a variable defined before it, and `$$` by `$`, as Kubernetes
    expands a container's `env` values; None when a reference names a variable whose value is unknown
    or none the file defines (the kubelet may fill it from a Service's variables, or leave it as
    written: which, the files cannot show)."""
    parts: list[str] = []
    done = 0
    for match in _EXPANSION.finditer(value):
        found = "$" if match[1] is None else defined.get(match[1])
        if found is None:
            return None
        parts += [value[done:match.start()], found]
        done = match.end()
    return "".join(parts) + value[done:]


def _from_source(item: KubeObject, place: str, source: Mapping[str, Any],
                 config_maps: ConfigMaps) -> Iterator[EnvVariable]:
    """The variables one `envFrom` entry gives: a ConfigMap's keys; none for a Secret (a reference) or a
    ConfigMap the scan does not hold."""
    prefix = text(source.get("prefix"))
    reference = mapping(source.get("configMapRef"))
    config_map = config_maps.find(item.namespace, text(reference.get("name"))) if reference else None
    for key, found in (config_map or {}).items():
        yield found._replace(name=prefix + key)


def _config_maps(documents: list[StructuredDocument],
                 shown: str) -> Iterator[tuple[tuple[str, str], _ConfigMap]]:
    """Each ConfigMap's literal `data` keys, as variables at their own place."""
    for document in documents:
        for pointer, item in document_objects(document.data):
            data = item.get("data")
            if text(item.get("kind")) != "ConfigMap" or not isinstance(data, dict):
                continue
            metadata = mapping(item.get("metadata"))
            keys: _ConfigMap = {}
            for key, value in list(data.items())[:_MAX_VARIABLES]:
                place = f"{pointer}/data/{escape_pointer_token(str(key))}"
                # Kubernetes expands `$(VAR)` in `env` values only: a ConfigMap's data is taken as written.
                keys[str(key)] = EnvVariable(str(key), text(value), shown, document.line_of(place), place)
            yield (text(metadata.get("namespace")) or "default", text(metadata.get("name"))), keys


@lru_cache(maxsize=1024)
def _config_maps_in(file: str, size: int, mtime_ns: int, max_bytes: int,
                    shown: str) -> tuple[tuple[tuple[str, str], _ConfigMap], ...]:
    """The ConfigMaps one file declares (none when it is unreadable: it is reported on its own)."""
    path = Path(file)
    try:
        if not declares_kind(path.read_bytes(), "ConfigMap"):
            return ()
        documents = load_structured_documents(path, ReadContext(root=path.parent, max_bytes=max_bytes))
    except (OSError, SourceError):
        return ()
    return tuple(_config_maps(documents, shown))
