"""Postman `auth` objects and authentication headers, resolved to `AuthKind`s.

A collection, a folder and a request may each carry `auth`; a request without one (or with type
`inherit`) takes its folder's, and so on up to the collection's, as Postman sends it. Types map as
follows (the same judgement as for OpenAPI schemes and APISIX plugins):

- `noauth` -> anonymous access; `apikey` -> api_key (location `header:X-API-Key` or `query:key`);
- `basic`, `digest`, `ntlm` -> basic: a per-user password with no token issuer behind it;
- `bearer`, `jwt`, `asap` -> bearer: a token sent with each request;
- `oauth2` -> oauth2 (with its `scope`); `oauth1` -> bearer: per-user tokens, but with no scopes or
  token lifetimes as OAuth 2.0 has;
- `hawk`, `awsv4`, `edgegrid` -> api_key: requests signed with a static shared secret, like APISIX
  `hmac-auth`;
- any other type -> unknown: the request's authentication cannot be read, and is not called "none".

When the chain yields nothing, or `noauth`, a request may still send credentials in its own headers:
`Authorization` (judged by its scheme word) and the usual API key headers count as declared auth.
Only names are read from an auth object (the api key's header name, OAuth scopes); tokens,
passwords and keys are never looked at beyond that.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from riskscan.model import AuthKind, AuthRequirement
from riskscan.sources.specs.openapi_refs import kept_identifier

__all__ = ["DeclaredAuth", "declared_auth", "header_auth"]

_KINDS: dict[str, AuthKind] = {
    "apikey": AuthKind.API_KEY,
    "basic": AuthKind.BASIC,
    "digest": AuthKind.BASIC,
    "ntlm": AuthKind.BASIC,
    "bearer": AuthKind.BEARER,
    "jwt": AuthKind.BEARER,
    "asap": AuthKind.BEARER,
    "oauth1": AuthKind.BEARER,
    "oauth2": AuthKind.OAUTH2,
    "hawk": AuthKind.API_KEY,
    "awsv4": AuthKind.API_KEY,
    "edgegrid": AuthKind.API_KEY,
}

_AUTHORIZATION_SCHEMES: dict[str, AuthKind] = {
    "bearer": AuthKind.BEARER,
    "basic": AuthKind.BASIC,
    "digest": AuthKind.BASIC,
    "ntlm": AuthKind.BASIC,
    "negotiate": AuthKind.BASIC,
}
"""`Authorization` header scheme words; any other (a bare `{{token}}`, `HMAC ...`) counts as a static key,
the weakest credential it could be."""

_KEY_HEADERS = frozenset(
    {
        "x-api-key",
        "api-key",
        "apikey",
        "x-apikey",
        "x-auth-token",
        "x-access-token",
        "ocp-apim-subscription-key",
    }
)
_HEADER_NAME = re.compile(r"[A-Za-z0-9_-]{1,80}")


@dataclass(frozen=True)
class DeclaredAuth:
    """What one `auth` object declares: security alternatives as in `SpecOperation.security`.

    `is_known` is False for a type riskscan cannot judge: nothing is then said about the request's auth.
    """

    security: tuple[tuple[AuthRequirement, ...], ...]
    is_known: bool = True

    @property
    def is_anonymous(self) -> bool:
        """True for `noauth`: requests are sent without credentials."""
        return self.security == ((),)


def declared_auth(auth: object) -> tuple[DeclaredAuth | None, str | None]:
    """(what `auth` declares, or None to inherit; a warning when its type is not understood)."""
    if auth is None:
        return None, None
    if not isinstance(auth, dict) or not isinstance(auth.get("type"), str):
        return DeclaredAuth((), is_known=False), "auth without a type; its authentication is unknown"
    kind_name = auth["type"].strip().lower()
    if kind_name == "inherit":
        return None, None
    if kind_name == "noauth":
        return DeclaredAuth(((),)), None
    kind = _KINDS.get(kind_name)
    if kind is None:
        name = kind_name if _HEADER_NAME.fullmatch(kind_name) else "?"
        return DeclaredAuth((), is_known=False), f"auth type '{name}' is not one riskscan knows; unknown"
    settings = _settings(auth.get(kind_name))
    requirement = AuthRequirement(
        kind=kind,
        scheme=f"postman:{kind_name}",
        scopes=_scopes(settings) if kind is AuthKind.OAUTH2 else (),
        location=_key_location(settings) if kind_name == "apikey" else None,
    )
    return DeclaredAuth(((requirement,),)), None


def header_auth(headers: object) -> DeclaredAuth | None:
    """Credentials a request sends in its own headers, or None when it sends none riskscan knows."""
    for name, value in _headers(headers):
        lowered = name.lower()
        if lowered == "authorization":
            word = value.strip().split(" ", 1)[0].lower()
            kind = _AUTHORIZATION_SCHEMES.get(word, AuthKind.API_KEY)
            location = None if kind is not AuthKind.API_KEY else "header:Authorization"
            requirement = AuthRequirement(kind=kind, scheme="header:Authorization", location=location)
            return DeclaredAuth(((requirement,),))
        if lowered in _KEY_HEADERS:
            where = f"header:{name}"
            return DeclaredAuth(((AuthRequirement(kind=AuthKind.API_KEY, scheme=where, location=where),),))
    return None


def _settings(raw: object) -> dict[str, Any]:
    """An auth type's settings as name -> value: a v2.1 list of `{key, value}`, or a v2.0 mapping."""
    if isinstance(raw, dict):
        return {str(key): value for key, value in raw.items()}
    if isinstance(raw, list):
        return {
            str(entry["key"]): entry.get("value")
            for entry in raw
            if isinstance(entry, dict) and isinstance(entry.get("key"), str)
        }
    return {}


def _key_location(settings: dict[str, Any]) -> str | None:
    """`header:X-API-Key`, `query:api_key`: where an API key travels (Postman's default is a header)."""
    name = settings.get("key")
    where = settings.get("in") if settings.get("in") in ("header", "query") else "header"
    return f"{where}:{name}" if isinstance(name, str) and _HEADER_NAME.fullmatch(name) else where


def _scopes(settings: dict[str, Any]) -> tuple[str, ...]:
    """OAuth 2.0 scopes, space-separated in Postman's `scope` setting."""
    scope = settings.get("scope")
    if not isinstance(scope, str):
        return ()
    kept = (kept_identifier(word) for word in scope.split()[:20])
    return tuple(word for word in kept if word)


def _headers(headers: object) -> list[tuple[str, str]]:
    """Enabled headers as (name, value): a list of `{key, value}`, or (v2.0) one `Name: value` text."""
    pairs: list[tuple[str, str]] = []
    if isinstance(headers, str):
        for line in headers.splitlines():
            name, _, value = line.partition(":")
            pairs.append((name.strip(), value))
    elif isinstance(headers, list):
        for entry in headers:
            is_enabled = isinstance(entry, dict) and entry.get("disabled") is not True
            if is_enabled and isinstance(entry.get("key"), str):
                text = entry.get("value")
                pairs.append((entry["key"].strip(), text if isinstance(text, str) else ""))
    return [(name, value) for name, value in pairs if _HEADER_NAME.fullmatch(name)]
