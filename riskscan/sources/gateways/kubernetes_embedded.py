"""Gateway configurations embedded in Kubernetes ConfigMaps, read by the reader of their own kind.

On Kubernetes a gateway's own configuration usually lives in a ConfigMap mounted as a file: `kong.conf`
or a decK `kong.yml` (DB-less Kong), APISIX's `config.yaml` (as the official Helm chart renders it) or a
standalone `apisix.yaml`, `envoy.yaml`, a Traefik dynamic configuration, an nginx reverse proxy's
`nginx.conf` or the server blocks it includes from /etc/nginx/conf.d/ (`default.conf`, `api.conf`). A
`data` value is read when its key names such a file (`_NAMED_KINDS`) or its text sniffs as one, exactly
as the file of that name would be: `READERS[kind].read` on a path that is no file on disk, whose text
`ReadContext.embedded_text` gives (`structured.load_text` reads it instead of the disk; nginx's loader
parses it from memory with crossplane's own lexer, `nginx_tree`). Nothing is written to disk: a
ConfigMap's value may hold credentials. From that reader's point of view:
- nothing beside it on disk is looked at (`is_allowed` is false, no folder is walked): an embedded
  Traefik file finds no sibling files nor static configuration, a Kong or APISIX Admin API export no
  other exports, an nginx configuration follows none of its `include`s (each kept, with a warning);
- evidence is moved onto the manifest: its path, the manifest line (a literal block scalar `|` keeps
  the value's lines, so line N of the value is the block's first line + N - 1; any other scalar is placed
  at its key's line), and the pointer of the key (`/data/kong.conf`, `/items/3/data/config.yaml` in a
  List), the place inside the value kept in the note; a warning's `manifest:N` is moved the same way;
- what it derives enters the scan as a configuration of its own (`GatewayConfig.embedded`, handed on by
  discovery): an embedded kong.conf applies to the decK routes of the scan as a kong.conf file would.
Bounds: only ConfigMaps of the manifest are looked at (never `binaryData`), a value over 1 MiB (more
than a ConfigMap holds) or a key Kubernetes would refuse is passed over, at most `_MAX_EMBEDDED` values
a manifest are read, and a value holding a manifest is not read again (Kubernetes is not a kind read
here), so embedding never recurses. A value that fails costs that value only: one warning naming the
manifest, its line, the ConfigMap, the key and the problem. A Traefik static configuration
(`traefik.yml` with `entryPoints`) is no kind read on its own: it is read where a Traefik container
mounts it (`traefik_static_mounted`), and its credentials with the ConfigMap's (`kubernetes_secrets`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel

from riskscan.errors import SourceError
from riskscan.model import Evidence, GatewayConfig, GatewayExport, SourceKind
from riskscan.redaction import redact
from riskscan.sources import ReadContext
from riskscan.sources.gateways.kong_conf import parse_kong_conf
from riskscan.sources.gateways.kong_conf_rules import Setting
from riskscan.sources.gateways.kubernetes_objects import mapping, text
from riskscan.sources.gateways.kubernetes_secrets import document_objects
from riskscan.sources.structured import StructuredDocument, escape_pointer_token

__all__ = ["EmbeddedReading", "read_embedded_configs"]

log = logging.getLogger(__name__)

_NAMED_KINDS: dict[str, SourceKind] = {
    "kong.conf": SourceKind.KONG_CONF,
    **{f"kong.{suffix}": SourceKind.KONG for suffix in ("yml", "yaml", "json")},
    **{f"apisix.{suffix}": SourceKind.APISIX for suffix in ("yml", "yaml", "json")},
    **{f"envoy.{suffix}": SourceKind.ENVOY for suffix in ("yml", "yaml", "json")},
    "nginx.conf": SourceKind.NGINX,
}
"""Keys that name a file of one kind whatever its text (the names the gateways' docs and charts use)."""
_WHAT: dict[SourceKind, str] = {
    SourceKind.KONG_CONF: "a Kong kong.conf",
    SourceKind.KONG: "a Kong declarative (decK) configuration",
    SourceKind.APISIX: "an APISIX standalone configuration",
    SourceKind.APISIX_CONF: "an APISIX config.yaml",
    SourceKind.ENVOY: "an Envoy configuration",
    SourceKind.TRAEFIK: "a Traefik dynamic configuration",
    SourceKind.NGINX: "an nginx configuration",
}
"""The kinds read when embedded, as warnings name them."""
_SNIFFED = frozenset({*_WHAT, SourceKind.AWS_API_GATEWAY, SourceKind.OPENAPI, SourceKind.KUBERNETES})
"""Kinds a value's text is judged as, in the registry's order: those read, and those whose claim must win
(a spec or a manifest is no gateway configuration)."""
_SNIFF_BYTES = 16 << 10
"""How much of a value its kind is judged on: a gateway configuration shows its kind in its first keys, and
ConfigMaps often hold large files of other kinds (dashboards, rule files) that a 64 KiB head would make
every reader scan at length (a file's kind is judged on `HEAD_BYTES`)."""
_MAX_VALUE_BYTES = 1 << 20  # Kubernetes refuses a ConfigMap over 1 MiB
_MAX_EMBEDDED = 50  # values read (or tried) per manifest
_KEY = re.compile(r"[-._a-zA-Z0-9]{1,253}")  # a ConfigMap key as Kubernetes accepts it
_LITERAL_BLOCK = re.compile(r":[ \t]*\|[-+0-9]*[ \t]*(?:#.*)?$")  # `key: |-` with the value below


@dataclass(frozen=True)
class _Value:
    """One ConfigMap `data` value, and where it sits in the manifest."""

    key: str
    text: str = field(repr=False)
    holder: tuple[int, str]  # the ConfigMap: its document's number and its pointer in it
    pointer: str  # of the key, in the manifest: /items/3/data/config.yaml
    label: str  # `ConfigMap default/kong, kong.conf`, redacted
    line: int | None  # the key's line
    first_line: int | None  # the line of the value's first line, for a literal block scalar

    def manifest_line(self, inner: int | None) -> int | None:
        """The manifest line of a line of the value (its key's when the value keeps no lines)."""
        if inner is None or self.first_line is None:
            return self.line
        return self.first_line + inner - 1


@dataclass(frozen=True)
class _EmbeddedContext(ReadContext):
    """A `ReadContext` for one embedded value: its text stands for `virtual`, shown as the manifest, and
    no file on disk may be opened beside it."""

    virtual: Path = Path()
    text: str = field(default="", repr=False)
    shown_as: str = ""

    def relative_path(self, path: Path) -> str:
        return self.shown_as

    def is_allowed(self, path: Path) -> bool:
        return False

    def embedded_text(self, path: Path) -> str | None:
        return self.text if path == self.virtual else None


@dataclass(frozen=True)
class EmbeddedReading:
    """What a manifest's ConfigMaps held: the configurations read, warnings and notes for the manifest,
    the pointers of the values read (their own readers judge their credentials) and how many ConfigMaps
    held them."""

    configs: tuple[GatewayConfig, ...] = ()
    warnings: tuple[str, ...] = ()
    pointers: frozenset[str] = frozenset()
    holders: int = 0
    # The first kong.conf held, as settings placed in the manifest: the base a Kong container's KONG_*
    # variables in the same manifest override (`kubernetes`), as Kong reads the two.
    kong_conf: Mapping[str, Setting] | None = None


def read_embedded_configs(
    documents: list[StructuredDocument], manifest: str, path: Path, context: ReadContext
) -> EmbeddedReading:
    """Every gateway configuration the manifest's ConfigMaps hold, read by its kind's reader (see the
    module); `manifest` is the manifest's decoded text, for the lines of block scalars."""
    lines = manifest.splitlines()
    shown = context.relative_path(path)
    configs: list[GatewayConfig] = []
    failures: list[str] = []
    notes: list[str] = []
    pointers: set[str] = set()
    holders: set[tuple[int, str]] = set()
    kong_conf: dict[str, Setting] | None = None
    for value in _values(documents, lines):
        kind = _kind_of(value, path)
        if kind is None:
            continue
        if len(configs) + len(failures) >= _MAX_EMBEDDED:
            failures.append(f"more than {_MAX_EMBEDDED} gateway configurations in ConfigMaps: the rest are"
                         " not read")
            break
        read = _read(value, kind, path, shown, context)
        if isinstance(read, str):
            log.warning("%s", read)
            failures.append(read)
            continue
        configs.append(read)
        if kind is SourceKind.KONG_CONF and kong_conf is None:  # the one `kubernetes` layers variables over
            kong_conf = _placed_settings(value)
        pointers.add(value.pointer)
        holders.add(value.holder)
        notes.append(f"{value.label}: read as {_WHAT[kind]}")
    return EmbeddedReading(tuple(configs), (*failures, *notes), frozenset(pointers), len(holders), kong_conf)


def _placed_settings(value: _Value) -> dict[str, Setting]:
    """A kong.conf value's settings, each at its line of the manifest and the value's pointer."""
    settings, _ = parse_kong_conf(value.text[:_MAX_VALUE_BYTES])
    return {name: Setting(setting.value, value.manifest_line(setting.line), value.pointer)
            for name, setting in settings.items()}


def _values(documents: list[StructuredDocument], lines: list[str]) -> Iterator[_Value]:
    """Every text value of every ConfigMap's `data`, in the order written."""
    for number, document in enumerate(documents):
        for base, item in document_objects(document.data):
            data = item.get("data")
            if text(item.get("kind")) != "ConfigMap" or not isinstance(data, dict):
                continue
            metadata = mapping(item.get("metadata"))
            namespace = text(metadata.get("namespace")) or "default"
            name = text(metadata.get("name")) or "(unnamed)"
            for key, value in data.items():
                if not isinstance(value, str) or not value.strip() or _KEY.fullmatch(str(key)) is None:
                    continue
                pointer = f"{base}/data/{escape_pointer_token(str(key))}"
                line = document.line_of(pointer)
                label = redact(f"ConfigMap {namespace}/{name}, {key}")
                yield _Value(str(key), value, (number, base), pointer, label, line,
                             _first_line(value, line, lines))


def _first_line(value: str, line: int | None, lines: list[str]) -> int | None:
    """The manifest line of the value's first line when it is a literal block scalar (`key: |`) whose
    lines are found below its key as written; None otherwise (a quoted, plain or folded scalar)."""
    if line is None or line > len(lines) or _LITERAL_BLOCK.search(lines[line - 1]) is None:
        return None
    written = value.splitlines()
    index = next((i for i, content in enumerate(written) if content.strip()), None)
    if index is None or line + index >= len(lines) or lines[line + index].strip() != written[index].strip():
        return None
    return line + 1


def _kind_of(value: _Value, path: Path) -> SourceKind | None:
    """The kind the value is read as: named by its key, else as its text sniffs; None when it is no
    gateway configuration read here."""
    from riskscan.sources import READERS  # the registry imports this module's reader

    kind = _NAMED_KINDS.get(value.key.lower())
    if kind is None:
        head = value.text[:_SNIFF_BYTES].encode("utf-8", errors="replace")
        virtual = _virtual(path, value.key)
        sniffers = ((kind, reader) for kind, reader in READERS.items() if kind in _SNIFFED)
        kind = next((kind for kind, reader in sniffers if reader.sniff(virtual, head)), None)
    return kind if kind in _WHAT else None


def _virtual(path: Path, key: str) -> Path:
    """The path the value stands for: beside the manifest, named so no file is (`a.yaml#kong.conf`)."""
    return path.with_name(f"{path.name}#{key}")


def _read(
    value: _Value, kind: SourceKind, path: Path, shown: str, context: ReadContext
) -> GatewayConfig | str:
    """The value read by its kind's reader, its evidence moved onto the manifest; or the one-line warning
    saying why it could not be."""
    from riskscan.sources import READERS

    size = len(value.text.encode("utf-8", errors="replace"))
    virtual = _virtual(path, value.key)
    if size > _MAX_VALUE_BYTES:
        return _warning(value, shown, None, f"{size} bytes, over the 1 MiB a ConfigMap holds: not read")
    embedded = _EmbeddedContext(root=virtual, allowed_roots=(virtual,), max_bytes=context.max_bytes,
                                client_id=context.client_id, protected_paths=context.protected_paths,
                                virtual=virtual, text=value.text, shown_as=shown)
    try:
        payload = READERS[kind].read(virtual, embedded)
    except SourceError as error:
        return _warning(value, shown, error.line, f"not read as {_WHAT[kind]}: {error.problem}")
    except (RecursionError, MemoryError):
        return _warning(value, shown, None, f"not read as {_WHAT[kind]}: too deeply nested or too large")
    except Exception as error:  # a reader's bug costs this value, never the manifest
        log.debug("unexpected error reading %s", value.label, exc_info=True)
        return _warning(value, shown, None, f"not read (unexpected {type(error).__name__}, a riskscan bug;"
                                            " --debug shows more)")
    config = payload.gateway if isinstance(payload, GatewayExport) else payload
    if not isinstance(config, GatewayConfig):
        return _warning(value, shown, None, f"not read: no {_WHAT[kind]}")
    return _moved(config, value, shown)


def _warning(value: _Value, shown: str, inner: int | None, problem: str) -> str:
    """`deploy/apisix.yaml:23: ConfigMap ingress/apisix, config.yaml: not read as ...: malformed YAML`."""
    return str(SourceError(f"{value.label}: {problem}", path=shown, line=value.manifest_line(inner)))


def _moved(config: GatewayConfig, value: _Value, shown: str) -> GatewayConfig:
    """The configuration with every evidence moved onto the manifest, and its warnings naming the value
    (a place in it they cite, `manifest.yaml:7` for line 7 of the value, at its manifest line)."""
    moved = _with_evidence_moved(config, value, shown)
    assert isinstance(moved, GatewayConfig)
    place = re.compile(rf"(?<![\w./-]){re.escape(shown)}:(\d+)")

    def placed(match: re.Match[str]) -> str:
        line = value.manifest_line(int(match.group(1)))
        return f"{shown}:{line}" if line is not None else shown

    warnings = tuple(f"{value.label}: {place.sub(placed, warning)}" for warning in config.warnings)
    return moved.model_copy(update={"warnings": warnings})


def _with_evidence_moved(node: object, value: _Value, shown: str) -> object:
    """`node` with each `Evidence` inside it, however deep, placed in the manifest (models are rebuilt
    only where something changed)."""
    if isinstance(node, Evidence):
        inner = f" at {node.pointer}" if node.pointer else ""
        note = f"{node.note}; " if node.note else ""
        return Evidence(**{**node.model_dump(), "path": shown, "line": value.manifest_line(node.line),
                           "end_line": value.manifest_line(node.end_line) if node.end_line else None,
                           "pointer": value.pointer, "note": f"{note}in {value.label}{inner}"})
    if isinstance(node, tuple):
        items = tuple(_with_evidence_moved(item, value, shown) for item in node)
        return items if any(new is not old for new, old in zip(items, node)) else node
    if isinstance(node, BaseModel):
        update = {name: new for name in type(node).model_fields
                  if (new := _with_evidence_moved(old := getattr(node, name), value, shown)) is not old}
        return node.model_copy(update=update) if update else node
    return node
