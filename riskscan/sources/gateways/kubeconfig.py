"""Reader for kubeconfig files (`~/.kube/config`, a CI job's cluster credentials): checked for
credentials written in clear, by place only; nothing else is read from them.

A kubeconfig (`apiVersion: v1`, `kind: Config`, as `kubectl config view` writes it) names `clusters`,
`users` and `contexts`; whoever holds the file holds the cluster access of every user in it. What is a
credential in clear, as the client-go `clientcmd` v1 types define the fields (`users[].user`):
- `token` (a bearer token), `password` (basic auth; `username` alone is no secret), `client-key-data`
  (a client certificate's private key, base64 PEM; `client-certificate-data` is public);
- `auth-provider.config`: `client-secret`, `id-token`, `refresh-token`, `access-token`;
- `exec.env`: a variable named like a credential with a literal value (`kubernetes_secrets`);
- a URL holding a credential anywhere in the file (a cluster's `proxy-url`, `server`).
`tokenFile`, `client-key` and `client-certificate` name files: references, not values. So are values
that are templates or environment references (`${KUBE_TOKEN}`, `{{ .token }}`), as CI templates write
them. A kubeconfig routes nothing (`has_routing` false) and is never a Kubernetes manifest
(`kubernetes_sniff` rejects it). A cluster's plain-HTTP `server` or `insecure-skip-tls-verify` concerns
the operators' link to the Kubernetes API, not an API's clients: not judged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from riskscan.errors import SourceError
from riskscan.model import Evidence, GatewayConfig, SourceKind
from riskscan.sources import ReadContext
from riskscan.sources.gateways.apisix_sniff import top_level_keys
from riskscan.sources.gateways.kubernetes_secrets import credential_in_value
from riskscan.sources.gateways.secret_walk import MAX_PLACES, credential_places
from riskscan.sources.gateways.url_credentials import is_reference, url_credential
from riskscan.sources.outline import top_level_scalars
from riskscan.sources.structured import MAX_DEPTH, StructuredDocument, load_structured

__all__ = ["KubeconfigError", "KubeconfigReader", "looks_like_kubeconfig"]

_SECTIONS = frozenset({"clusters", "users", "contexts"})
_USER_SECRETS = {"token": "bearer token", "password": "password",
                 "client-key-data": "client certificate private key (client-key-data)"}
_PROVIDER_SECRETS = frozenset({"client-secret", "id-token", "refresh-token", "access-token"})


class KubeconfigError(SourceError):
    """A kubeconfig file that cannot be read."""


def looks_like_kubeconfig(head: bytes) -> bool:
    """True for `kind: Config` (apiVersion v1 or left out) with `clusters`, `users` or `contexts` at the
    top level, or for all three lists without a `kind`, as kubectl also loads them."""
    if b"\0" in head:
        return False
    scalars = top_level_scalars(head)
    keys = top_level_keys(head.decode("utf-8", errors="replace"))
    kind, api_version = scalars.get("kind"), scalars.get("apiVersion", "v1")
    if kind is None:
        return _SECTIONS <= keys.keys() and all(keys[name] for name in _SECTIONS)
    return kind == "Config" and api_version == "v1" and bool(_SECTIONS & keys.keys())


class KubeconfigReader:
    """Reads a kubeconfig for the credentials it writes in clear (places only)."""

    kind = SourceKind.KUBECONFIG
    title = "kubeconfig files (kind: Config): checked for credentials in clear"
    summary = ("users' tokens, passwords, client-key-data, auth-provider secrets and credential-named exec "
               "env values, and URLs with credentials, by place (never the value); tokenFile and client-key "
               "paths and ${VAR} references are none; nothing else is read")

    def sniff(self, path: Path, head: bytes) -> bool:
        """True for a kubeconfig (see `looks_like_kubeconfig`)."""
        return looks_like_kubeconfig(head)

    def read(self, path: Path, context: ReadContext) -> GatewayConfig:
        """Check one kubeconfig; raise `KubeconfigError` naming the file and the problem."""
        shown = context.relative_path(path)
        try:
            document = load_structured(path, context)
        except SourceError as error:
            raise KubeconfigError(error.problem, path=error.path, line=error.line) from None
        if not isinstance(document.data, Mapping):
            raise KubeconfigError("the top level is not a mapping of kubeconfig sections", path=shown, line=1)
        warnings: list[str] = []
        places = dict(_user_places(document.data, warnings.append))
        for pointer, what in credential_places(document.data, _url_judge, MAX_DEPTH):
            places.setdefault(pointer, what)
        evidence = [Evidence(path=shown, line=document.line_of(pointer), pointer=pointer,
                             note=f"{what} written in clear in a kubeconfig")
                    for pointer, what in sorted(places.items(), key=lambda item: _line(document, item[0]))]
        return GatewayConfig(path=shown, gateway="kubernetes", routes=(), has_routing=False,
                             warnings=tuple(dict.fromkeys(warnings)),
                             clear_secrets=tuple(evidence[:MAX_PLACES]))


def _line(document: StructuredDocument, pointer: str) -> int:
    return document.line_of(pointer) or 0


def _user_places(root: Mapping[str, Any], warn: Callable[[str], None]) -> Iterator[tuple[str, str]]:
    """(pointer, what) of each credential a user entry writes in clear; a malformed entry is warned about."""
    users = root.get("users")
    if users is not None and not isinstance(users, list):
        warn("`users` is not a list: its credentials are not checked")
        return
    for index, entry in enumerate(users or []):
        user = entry.get("user") if isinstance(entry, Mapping) else None
        if not isinstance(user, Mapping):
            if user is not None or not isinstance(entry, Mapping):
                warn(f"users[{index}] is not a mapping with a `user` mapping: not checked")
            continue
        base = f"/users/{index}/user"
        for field, what in _USER_SECRETS.items():
            if _is_literal(user.get(field)):
                yield f"{base}/{field}", f"users[{index}] {what}"
        yield from _provider_places(user.get("auth-provider"), f"{base}/auth-provider", index)
        yield from _exec_places(user.get("exec"), f"{base}/exec", index)


def _provider_places(provider: object, pointer: str, index: int) -> Iterator[tuple[str, str]]:
    config = provider.get("config") if isinstance(provider, Mapping) else None
    for key, value in (config.items() if isinstance(config, Mapping) else ()):
        if str(key) in _PROVIDER_SECRETS and _is_literal(value):
            yield f"{pointer}/config/{key}", f"users[{index}] auth-provider {key}"


def _exec_places(exec_config: object, pointer: str, index: int) -> Iterator[tuple[str, str]]:
    env = exec_config.get("env") if isinstance(exec_config, Mapping) else None
    for position, item in enumerate(env if isinstance(env, list) else []):
        if isinstance(item, Mapping) and isinstance(item.get("name"), str):
            what = credential_in_value(item["name"], item.get("value"))
            if what is not None:
                yield f"{pointer}/env/{position}/value", f"users[{index}] exec env {what}"


def _is_literal(value: object) -> bool:
    """A value written out: a non-empty string that is no template or environment reference."""
    return isinstance(value, str) and bool(value.strip()) and "{{" not in value and not is_reference(value)


def _url_judge(name: str, value: object, owner: str) -> str | None:
    return url_credential(value) if isinstance(value, str) else None
