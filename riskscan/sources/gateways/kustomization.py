"""Reader for Kustomize's `kustomization.yaml`: checked for credentials written in clear, by place only.

Kustomize builds manifests from a kustomization (`kustomization.yaml`, `.yml` or `Kustomization` by
name; `kind: Kustomization` or `Component` of `kustomize.config.k8s.io`). Its generators turn values
into Secrets and ConfigMaps at build time, so a credential can sit in the repository without any Secret
object in it. As the Kustomize reference defines `secretGenerator` and `configMapGenerator`:
- `literals` (`KEY=value`): each literal of a secretGenerator with a value is a credential in clear, one
  place per literal; of a configMapGenerator, only one whose key is named like a credential
  (`kubernetes_secrets.credential_in_value`);
- `envs` (and the older `env`): env files of `KEY=value` lines beside the kustomization. Such a file in
  the folders scanned is read: each line with a value is a credential in clear for a secretGenerator
  (each credential-named key for a configMapGenerator), cited by the env file's line; the file is then
  marked as included by the kustomization. A file outside the scanned folders, or missing, is not read
  (a warning names it): it is kept elsewhere, which is what a reference means;
- `files` (`path` or `key=path`): a secretGenerator file in the scanned folders that is not empty is
  itself a secret (a key, a password file), cited by its path; its content is never kept. Only its
  first 64 KiB are looked at, for PEM blocks: a file holding certificates and public keys only (a
  `kubernetes.io/tls` Secret's `tls.crt`, a `ca.crt` bundle) is public by design and not counted; a
  private key among them, or anything else, is. An empty file, like a missing one, is warned about.
  A configMapGenerator's files are configuration, not judged.
Values that are templates or environment references (`${DB_PASSWORD}`) are none. Nothing else is read
(resources, patches, Helm values); a kustomization is never a Kubernetes manifest (`kubernetes_sniff`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from riskscan.errors import SourceError
from riskscan.model import Evidence, GatewayConfig, SourceKind
from riskscan.sources import ReadContext
from riskscan.sources.gateways.apisix_sniff import top_level_keys
from riskscan.sources.gateways.kubernetes_secrets import credential_in_value
from riskscan.sources.gateways.secret_walk import MAX_PLACES
from riskscan.sources.gateways.url_credentials import is_reference
from riskscan.sources.outline import top_level_scalars
from riskscan.sources.structured import load_structured, load_text

__all__ = ["KustomizationError", "KustomizationReader", "looks_like_kustomization"]

FILE_NAMES = frozenset({"kustomization.yaml", "kustomization.yml", "Kustomization"})
_KINDS = frozenset({"Kustomization", "Component"})
_GROUP = "kustomize.config.k8s.io/"
# Fields only a kustomization has at its top level: one of them, in a file so named, tells it.
_FIELDS = frozenset({
    "resources", "bases", "components", "secretGenerator", "configMapGenerator", "generatorOptions",
    "patches", "patchesStrategicMerge", "patchesJson6902", "images", "replicas", "namePrefix", "nameSuffix",
    "commonLabels", "commonAnnotations", "labels", "namespace", "helmCharts", "generators", "transformers",
    "crds", "vars", "replacements", "openapi", "buildMetadata", "sortOptions",
})
_ENV_LINE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*=(.*)$")
_PEM_BEGIN = re.compile(rb"-----BEGIN ([A-Z0-9 ]{1,40})-----")
# PEM blocks that are public by design (RFC 7468 labels): certificates, revocation lists, public keys.
_PUBLIC_PEM = frozenset({b"CERTIFICATE", b"TRUSTED CERTIFICATE", b"X509 CRL", b"PUBLIC KEY",
                         b"RSA PUBLIC KEY"})
_PEM_HEAD_BYTES = 65536
_MAX_ENV_LINES = 10_000


class KustomizationError(SourceError):
    """A kustomization that cannot be read."""


def looks_like_kustomization(path: Path, head: bytes) -> bool:
    """True for `kind: Kustomization` or `Component` of the kustomize API group, or for a file named as
    Kustomize names kustomizations whose top level holds a kustomization's own fields."""
    if b"\0" in head:
        return False
    scalars = top_level_scalars(head)
    if scalars.get("kind") in _KINDS and scalars.get("apiVersion", "").startswith(_GROUP):
        return True
    if path.name not in FILE_NAMES or scalars.get("kind", "Kustomization") not in _KINDS:
        return False
    return bool(_FIELDS & top_level_keys(head.decode("utf-8", errors="replace")).keys())


@dataclass
class _Found:
    """What one kustomization shows: credentials by place, env files read, warnings."""

    places: list[Evidence] = field(default_factory=list)
    included: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class KustomizationReader:
    """Reads a kustomization's generators for the credentials they write in clear (places only)."""

    kind = SourceKind.KUSTOMIZATION
    title = "Kustomize kustomization.yaml: checked for credentials in clear"
    summary = ("secretGenerator literals, env files and files in the folders scanned, and configMapGenerator "
               "literals and env values named like credentials, by place (never the value); env files and "
               "files outside the scan are named in a warning, not read; nothing else is read")

    def sniff(self, path: Path, head: bytes) -> bool:
        """True for a kustomization (see `looks_like_kustomization`)."""
        return looks_like_kustomization(path, head)

    def read(self, path: Path, context: ReadContext) -> GatewayConfig:
        """Check one kustomization; raise `KustomizationError` naming the file and the problem."""
        shown = context.relative_path(path)
        try:
            document = load_structured(path, context)
        except SourceError as error:
            raise KustomizationError(error.problem, path=error.path, line=error.line) from None
        if not isinstance(document.data, Mapping):
            raise KustomizationError("the top level is not a mapping of kustomization fields", path=shown,
                                     line=1)
        found = _Found()
        for generator, is_secret in (("secretGenerator", True), ("configMapGenerator", False)):
            for pointer, entry in _generators(document.data, generator, found.warnings.append):
                for item_pointer, what in _literal_places(entry, pointer, is_secret):
                    found.places.append(Evidence(path=shown, line=document.line_of(item_pointer),
                                                 pointer=item_pointer, note=what))
                _check_files(entry, path, context, is_secret, found)
        return GatewayConfig(path=shown, gateway="kubernetes", routes=(), has_routing=False,
                             warnings=tuple(dict.fromkeys(found.warnings)),
                             clear_secrets=tuple(dict.fromkeys(found.places))[:MAX_PLACES],
                             referenced_files=tuple(dict.fromkeys(found.included)))


def _generators(
    root: Mapping[str, Any], name: str, warn: Callable[[str], None]
) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(pointer, entry) of each generator entry; a list or entry of the wrong type is warned about."""
    entries = root.get(name)
    if entries is not None and not isinstance(entries, list):
        warn(f"`{name}` is not a list: not checked")
        return
    for index, entry in enumerate(entries or []):
        if isinstance(entry, Mapping):
            yield f"/{name}/{index}", entry
        else:
            warn(f"{name}[{index}] is not a mapping: not checked")


def _literal_places(entry: Mapping[str, Any], pointer: str, is_secret: bool) -> Iterator[tuple[str, str]]:
    literals = entry.get("literals")
    for index, literal in enumerate(literals if isinstance(literals, list) else []):
        if not isinstance(literal, str):
            continue
        key, has_value, value = literal.partition("=")
        what = _judge(key.strip(), value, is_secret) if has_value else None
        if what is not None:
            generator = "secretGenerator" if is_secret else "configMapGenerator"
            yield f"{pointer}/literals/{index}", f"{what} in a {generator} literal ({key.strip()})"


def _judge(key: str, value: str, is_secret: bool) -> str | None:
    """What a `KEY=value` holds in clear: any value for a Secret, a credential-named one for a ConfigMap."""
    value = value.strip().strip("\"'")
    if not value or "{{" in value or is_reference(value):
        return None
    return "a Secret value written in clear" if is_secret else credential_in_value(key, value)


def _check_files(entry: Mapping[str, Any], path: Path, context: ReadContext, is_secret: bool,
                 found: _Found) -> None:
    """The generator's env files, read, and (for a Secret) its files, judged by their presence."""
    names = [name for key in ("envs", "env") for name in _strings(entry.get(key))]
    for name in names:
        env_file = _local_file(name, path, context, found.warnings.append)
        if env_file is not None:
            _read_env_file(env_file, context, is_secret, found)
    if not is_secret:
        return
    for name in _strings(entry.get("files")):
        secret_file = _local_file(name.rpartition("=")[2], path, context, found.warnings.append)
        if secret_file is not None and not _holds_only_public_pem(secret_file):
            found.places.append(Evidence(path=context.relative_path(secret_file), note=(
                "a file a Kustomize secretGenerator turns into a Secret (the whole file is a credential in "
                "clear)")))


def _holds_only_public_pem(file: Path) -> bool:
    """True when the file's first bytes are PEM blocks of certificates and public keys only: public by
    design, no credential. A private key among them, text that is no PEM, or an unreadable file: False."""
    try:
        with file.open("rb") as handle:
            head = handle.read(_PEM_HEAD_BYTES)
    except OSError:
        return False
    kinds = {match.group(1) for match in _PEM_BEGIN.finditer(head)}
    return bool(kinds) and kinds <= _PUBLIC_PEM and b"PRIVATE KEY" not in head


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _local_file(name: str, path: Path, context: ReadContext, warn: Callable[[str], None]) -> Path | None:
    """The file a generator names, when it is in the folders scanned; otherwise a warning and None."""
    name = name.strip()
    if not name or "://" in name or "\0" in name:
        warn("a generator names a file by an empty name, a URL or an impossible name: not checked")
        return None
    candidate = path.parent / name
    try:
        if not context.is_allowed(candidate):
            warn(f"{context.relative_path(candidate)}: named by a generator, outside the folders scanned: "
                 "not checked")
        elif not candidate.is_file() or candidate.stat().st_size == 0:
            warn(f"{context.relative_path(candidate)}: named by a generator, but no such file (or an empty "
                 "one): not checked")
        else:
            return candidate
    except (OSError, ValueError):  # a name too long for the file system, a loop of links
        warn("a generator names a file that cannot be looked up: not checked")
    return None


def _read_env_file(env_file: Path, context: ReadContext, is_secret: bool, found: _Found) -> None:
    """Each `KEY=value` line the env file writes in clear, cited by its line (values never kept)."""
    shown = context.relative_path(env_file)
    try:
        text = load_text(env_file, context)
    except SourceError as error:
        found.warnings.append(f"{shown}: not checked ({error.problem})")
        return
    found.included.append(shown)
    generator = "secretGenerator" if is_secret else "configMapGenerator"
    for number, line in enumerate(text.splitlines()[:_MAX_ENV_LINES], start=1):
        match = _ENV_LINE.match(line)
        if match is None or line.lstrip().startswith("#"):
            continue
        what = _judge(match.group(1), match.group(2), is_secret)
        if what is not None:
            found.places.append(Evidence(path=shown, line=number, note=(
                f"{what} in an env file a Kustomize {generator} reads ({match.group(1)})")))
