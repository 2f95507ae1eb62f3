"""Credentials a Traefik configuration holds in clear, by place (JSON pointer): never the value.

Dynamic configuration:
- `basicAuth.users` / `digestAuth.users` listed inline: htpasswd hashes are still credentials
  (`usersFile` names a file: a reference);
- a TLS certificate's `keyFile` given as inline PEM content rather than a path (in `tls.certificates`
  and `tls.stores.<name>.defaultCertificate`);
- a header middleware setting a credential header (`Authorization`, `X-Api-Key`) to a literal value;
- any URL carrying a credential (`url_credentials`): `forwardAuth.address`, a server `url`.

Static configuration (`traefik.yml`), where providers, certificate resolvers, access logs, metrics and
tracing are set: fields that hold a credential (`token`, `password`, `secretAccessKey`, ACME EAB
`hmacEncoded`, `pilot.token`, `hub` tokens, a metrics exporter's `token`) written as a literal, exporter
headers, and URLs (`providers.http.endpoint` with userinfo, an OTLP endpoint with `?api_key=`).

A Go template (`{{ env "X" }}`, which the file provider expands) or `${VAR}` is a reference.
"""

from __future__ import annotations

from collections.abc import Callable

from riskscan.model import Evidence
from riskscan.sources.gateways.secret_walk import credential_places
from riskscan.sources.gateways.url_credentials import is_credential_header, is_reference, url_credential

__all__ = ["clear_secret_pointers", "clear_secrets", "credential_field"]

_SECRET_FIELDS = frozenset({
    "token", "password", "secret", "hmacencoded", "secretaccesskey", "apikey", "api_key", "accesstoken",
    "authtoken", "clientsecret", "privatekey", "secretkey", "accesskeysecret", "sasl_password",
})
_USER_LISTS = frozenset({"basicAuth", "digestAuth"})
_HEADER_MAPS = frozenset({"customRequestHeaders", "customResponseHeaders", "headers"})
_MAX_DEPTH = 32


def clear_secrets(
    data: object, shown: str, line: Callable[[str], int | None], where: str
) -> tuple[Evidence, ...]:
    """Evidence for each credential in clear in one file's data (`where`: "", "in the static
    configuration"), placed by pointer and, where the file keeps them, line."""
    return tuple(Evidence(path=shown, line=line(pointer), pointer=pointer,
                          note=f"{what}{where} (not a file, {{{{ env }}}} or ${{VAR}} reference)")
                 for pointer, what in clear_secret_pointers(data))


def clear_secret_pointers(data: object) -> list[tuple[str, str]]:
    """(JSON pointer, what it is) of every credential written in clear, in document order."""
    return credential_places(data, credential_field, _MAX_DEPTH)


def credential_field(name: str, value: object, owner: str) -> str | None:
    """What credential the field `name` (inside `owner`) holds in clear, or None (also how a Compose
    label of the same path is judged)."""
    if name == "users" and owner in _USER_LISTS and isinstance(value, list):
        listed = [user for user in value if isinstance(user, str) and _is_literal(user)]
        return f"{owner}.users listed inline" if listed else None
    if not isinstance(value, str):
        return None
    if name == "keyFile":
        return "private key given inline (PEM)" if "-----BEGIN" in value else None
    if owner in _HEADER_MAPS and is_credential_header(name) and _is_literal(value):
        return f"{name.lower()} header written in clear"
    if name.lower() in _SECRET_FIELDS and _is_literal(value):
        return f"{name} written in clear"
    return url_credential(value)


def _is_literal(value: str) -> bool:
    return bool(value.strip()) and "{{" not in value and not is_reference(value)
