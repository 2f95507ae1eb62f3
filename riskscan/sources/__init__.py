"""Input readers: one module per input kind, all meeting the `SourceReader` protocol.

A reader judges a file by its content (`sniff`) and turns it into format-agnostic model types
(`read`). `READERS` maps every `SourceKind` to its reader; `detect_kind` asks them in order. Adding a
kind means a module here, a `SourceKind` member and an entry in `READERS` (a test checks that every
member has one).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from riskscan.model import ApiSpec, GatewayConfig, GatewayExport, SourceKind, TrafficSample
from riskscan.redaction import redact_file_path
from riskscan.sources.outline import document_outline, is_document_head
from riskscan.sources.gzip_stream import GZIP_MAGIC, GzipStream
from riskscan.sources.leading_hole import skip_leading_nuls
from riskscan.sources.zstd_stream import ZSTD_MAGIC, ZstdStream

if TYPE_CHECKING:  # a runtime import would be circular: the traffic package imports this one
    from riskscan.sources.traffic.jsonl.fields import FieldMap

__all__ = [
    "HEAD_BYTES",
    "READERS",
    "ClientHasher",
    "ReadContext",
    "SourcePayload",
    "SourceReader",
    "detect_kind",
    "make_client_hasher",
    "read_head",
    "resolve_path",
]

HEAD_BYTES = 65536
"""How much of a file's beginning `sniff` sees (decompressed for gzip and zstd)."""
_HEAD_SCAN_BYTES = 32 << 20  # gzip read at most to find a head (past empty members): a bound on sniffing

_MAX_RESOLUTIONS = 100_000
_DEFAULT_MAX_BYTES = 50 * 1024 * 1024  # ReadContext.max_bytes unless --max-file-mb says otherwise

SourcePayload = ApiSpec | GatewayConfig | TrafficSample | GatewayExport
"""What a reader returns: one of the format-agnostic input models (`GatewayExport`: a spec and a
gateway configuration read from one file)."""


@dataclass(frozen=True)
class ReadContext:
    """What a reader needs beyond the file itself.

    `root` makes evidence paths relative (`relative_path`); `allowed_roots` bounds which files a
    reader may open on its own (relative `$ref`s never leave them); `max_bytes` caps files read whole
    (streamed logs are not capped); `on_progress` receives byte counts as a stream is consumed, `on_lines`
    counts of log lines as they are parsed.
    `client_id` turns a client identity (an IP address, an API key's fingerprint) into an opaque
    integer that is the same for the same client across every file of one scan and means nothing
    outside it: readers call it once per distinct client and never keep the identity itself.
    `protected_paths` are literal path prefixes the specs and gateway routes name with id-like
    segments (`inventory.literals`): traffic readers keep them as written instead of folding them.
    `log_fields` is the user's `--log-fields` mapping: files it fits are read as mapped logs.
    """

    root: Path
    allowed_roots: tuple[Path, ...] = ()
    max_bytes: int = _DEFAULT_MAX_BYTES
    on_progress: Callable[[int], None] | None = field(default=None, compare=False)
    on_lines: Callable[[int], None] | None = field(default=None, compare=False)
    client_id: Callable[[str], int] = field(default_factory=lambda: make_client_hasher(), compare=False)
    protected_paths: frozenset[str] = frozenset()
    log_fields: FieldMap | None = None

    # Paths resolved so far, and how each is shown: a spec split over thousands of files names each of
    # them from many places, and every `resolve` is a system call per path component.
    _resolutions: dict[Path, Path] = field(default_factory=dict, init=False, compare=False, repr=False)
    _shown: dict[Path, str] = field(default_factory=dict, init=False, compare=False, repr=False)

    def relative_path(self, path: Path) -> str:
        """The path as shown to users: relative to the scan root when inside it, POSIX style, and
        redacted (a folder named after an email or a token is shown with a placeholder)."""
        shown = self._shown.get(path)
        if shown is None:
            try:
                shown = self.resolve(path).relative_to(self.resolve(self.root)).as_posix()
            except ValueError:
                shown = path.name
            shown = self._shown[path] = redact_file_path(shown)
        return shown

    def is_allowed(self, path: Path) -> bool:
        """True when a reader may open `path`: it lies inside one of the folders the user gave."""
        resolved = self.resolve(path)
        return any(resolved.is_relative_to(self.resolve(root)) for root in self.allowed_roots or (self.root,))

    def embedded_text(self, path: Path) -> str | None:
        """The text of `path` when it is no file on disk but a value held inside another input (a
        ConfigMap's kong.conf: `kubernetes_embedded`), which `structured.load_text` then reads instead of
        the disk (`nginx_tree` parses it from memory); None for a file on disk, always here."""
        return None

    def resolve(self, path: Path) -> Path:
        """`resolve_path(path)`, once per path of a scan (forgotten past `_MAX_RESOLUTIONS` paths)."""
        resolved = self._resolutions.get(path)
        if resolved is None:
            if len(self._resolutions) >= _MAX_RESOLUTIONS:
                self._resolutions.clear()
                self._shown.clear()
            resolved = self._resolutions[path] = resolve_path(path)
        return resolved


def resolve_path(path: Path) -> Path:
    """`path.resolve()`, except that a loop of symbolic links (RuntimeError on Python 3.11) is resolved
    up to the loop only (`os.path.realpath`): a link leaving the folders given is still seen, and the
    path, which no open can get through, is kept rather than failing the file or the scan."""
    try:
        return path.resolve()
    except RuntimeError:
        return Path(os.path.realpath(path))


class SourceReader(Protocol):
    """A reader of one input kind."""

    kind: SourceKind
    title: str  # the kind as users know it: "OpenAPI 3.0 / 3.1, Swagger 2.0 (YAML or JSON)"
    summary: str  # what is read from it, in one line (`riskscan sources`, the README's input table)

    def sniff(self, path: Path, head: bytes) -> bool:
        """True when the file's beginning shows it is this kind (extensions are only a hint)."""
        ...

    def read(self, path: Path, context: ReadContext) -> SourcePayload:
        """Read the file into model types; raise a `SourceError` subclass naming file and problem."""
        ...


@dataclass(frozen=True)
class ClientHasher:
    """A keyed hash from client identity to a 63-bit integer (see `make_client_hasher`).

    A class rather than a closure so that it can be pickled to another process (a Spark driver's
    helpers, a worker): every process of one scan then gives the same client the same id.
    """

    key: bytes = field(repr=False)

    def __call__(self, identity: str) -> int:
        digest = hashlib.blake2b(identity.encode("utf-8", "surrogateescape"), digest_size=8, key=self.key)
        return int.from_bytes(digest.digest(), "big") >> 1


def make_client_hasher(salt: bytes | None = None) -> Callable[[str], int]:
    """A keyed hash from client identity to a 63-bit integer, salted per scan (random by default).

    Keyed BLAKE2b: the same salt gives the same ids in any process (so partial results can merge),
    and without the salt an id cannot be traced back to an address.
    """
    return ClientHasher(salt if salt is not None else os.urandom(16))


def read_head(path: Path, limit: int = HEAD_BYTES) -> bytes:
    """The first `limit` bytes of a file, decompressed when it is gzip or zstd.

    A compressed file's head is looked for past empty members, through at most `_HEAD_SCAN_BYTES` of
    it; a stream cut short or corrupt still shows what was inflated before the damage.
    """
    with path.open("rb") as handle:
        head = handle.read(limit)
        if head.startswith(b"\x00"):  # a log truncated in place while written: its lines follow the hole
            after, _ = skip_leading_nuls(head, lambda: handle.read(1 << 20))
            return (after + handle.read(max(0, limit - len(after))))[:limit] if after else head
        if head[:2] != GZIP_MAGIC and head[:4] != ZSTD_MAGIC:
            return head
        budget = [_HEAD_SCAN_BYTES - len(head)]

        def read_more() -> bytes:
            chunk = handle.read(min(limit, budget[0])) if budget[0] > 0 else b""
            budget[0] -= len(chunk)
            return chunk

        out = bytearray()
        stream = GzipStream(head, read_more, max_out=limit) if head[:2] == GZIP_MAGIC else ZstdStream(head, read_more)
        for piece in stream:
            out += piece
            if len(out) >= limit:
                break
    return bytes(out[:limit])


def _build_registry() -> dict[SourceKind, SourceReader]:
    """Every reader, in the order `detect_kind` asks them (most specific first)."""
    from riskscan.sources.traffic.access_log import AccessLogReader
    from riskscan.sources.gateways.apisix import ApisixReader
    from riskscan.sources.gateways.kong import KongReader
    from riskscan.sources.gateways.kubernetes import KubernetesReader
    from riskscan.sources.specs.openapi import OpenApiReader
    from riskscan.sources.gateways.nginx import NginxReader
    from riskscan.sources.gateways.traefik import TraefikReader
    from riskscan.sources.specs.graphql import GraphQlReader
    from riskscan.sources.specs.postman import PostmanReader
    from riskscan.sources.gateways.envoy import EnvoyReader
    from riskscan.sources.gateways.aws import AwsApiGatewayReader
    from riskscan.sources.traffic.alb_log import AlbLogReader
    from riskscan.sources.traffic.cloudfront_log import CloudFrontLogReader
    from riskscan.sources.traffic.har import HarReader
    from riskscan.sources.traffic.jsonl.apisix_log import ApisixLogReader
    from riskscan.sources.traffic.jsonl.kong_log import KongLogReader
    from riskscan.sources.traffic.jsonl.envoy_log import EnvoyLogReader
    from riskscan.sources.traffic.jsonl.traefik_log import TraefikLogReader
    from riskscan.sources.traffic.jsonl.mapped_log import MappedLogReader
    from riskscan.sources.gateways.kong_conf import KongConfReader
    from riskscan.sources.gateways.apisix_conf import ApisixConfReader
    from riskscan.sources.traffic.haproxy_log import HaproxyLogReader
    from riskscan.sources.traffic.jsonl.caddy_log import CaddyLogReader
    from riskscan.sources.traffic.iis_log import IisLogReader
    from riskscan.sources.gateways.kubeconfig import KubeconfigReader
    from riskscan.sources.gateways.kustomization import KustomizationReader

    readers: list[SourceReader] = [
        AwsApiGatewayReader(),  # before OpenAPI: an API Gateway export is also an OpenAPI document
        OpenApiReader(), PostmanReader(), GraphQlReader(), ApisixReader(), KubernetesReader(), KongReader(),
        NginxReader(), EnvoyReader(), TraefikReader(), AlbLogReader(), CloudFrontLogReader(), HarReader(),
        ApisixLogReader(), KongLogReader(), EnvoyLogReader(), TraefikLogReader(),
        AccessLogReader(), MappedLogReader(), KongConfReader(), ApisixConfReader(), HaproxyLogReader(),
        CaddyLogReader(), IisLogReader(),
        KubeconfigReader(), KustomizationReader(),
    ]
    return {reader.kind: reader for reader in readers}


READERS: dict[SourceKind, SourceReader] = _build_registry()


_DOCUMENT_KINDS = (SourceKind.AWS_API_GATEWAY, SourceKind.OPENAPI, SourceKind.APISIX, SourceKind.KONG, SourceKind.ENVOY)
"""Kinds whose files are one JSON or YAML document, judged by its top-level keys."""


def detect_kind(
    path: Path, head: bytes, max_bytes: int = _DEFAULT_MAX_BYTES, log_fields: FieldMap | None = None
) -> SourceKind | None:
    """The kind of the file judged by its content, or None when no reader recognises it.

    The head decides when it can. When it cannot, and it is the beginning of a longer JSON object or
    YAML mapping, the document's top-level keys decide wherever they are (`outline.document_outline`
    of at most `max_bytes`): a spec whose `openapi` key follows a large `components` block is
    still a spec, while a key nested deep inside a document never counts. A `log_fields` mapping
    the head fits comes first: the user said how to read such logs.
    """
    if log_fields is not None:
        from riskscan.sources.traffic.jsonl.mapped_log import is_mapped_log

        if is_mapped_log(head, log_fields):
            return SourceKind.MAPPED_LOG
    for kind, reader in READERS.items():
        if reader.sniff(path, head):
            return kind
    if len(head) < HEAD_BYTES or not is_document_head(head):
        return None  # the head was the whole file, or it is no structured document
    try:
        outline = document_outline(read_head(path, max_bytes))
    except OSError:
        return None
    if outline is None:
        return None  # no key at the top level at all
    return next((kind for kind in _DOCUMENT_KINDS if READERS[kind].sniff(path, outline)), None)
