"""Fake secrets of every class, and an estate that plants each in every position of every input kind.

Used by `test_planted_everywhere.py`. Each `Secret` has the value that must never reach an output and
the forms it takes in a URL path segment and in free text; `write_estate` puts every secret into a
spec, an APISIX config and an access log of its own, inside a folder and under a file name carrying it.
"""

from __future__ import annotations

import base64
import json
import random
import string
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import yaml

__all__ = ["Secret", "make_secrets", "write_estate"]


@dataclass(frozen=True)
class Secret:
    """One planted secret: `values` must appear in no output, in any spelling."""

    kind: str
    values: tuple[str, ...]
    segment: str  # as a URL path segment (already percent-encoded where a URL would encode it)
    text: str  # as free text would carry it
    is_multiline: bool = False
    is_character: bool = False  # a control character: percent-encoded in a path, it is inert


def _alnum(rng: random.Random, length: int) -> str:
    """Mixed-case letters and digits with every class present, like a generated token."""
    chars = [rng.choice(chars) for chars in (string.ascii_uppercase, string.ascii_lowercase, string.digits)]
    chars += [rng.choice(string.ascii_letters + string.digits) for _ in range(length - 3)]
    rng.shuffle(chars)
    return "".join(chars)


def _digits(rng: random.Random, length: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(length))


def _luhn_card(rng: random.Random) -> str:
    body = "4" + _digits(rng, 14)
    for check in string.digits:
        total = 0
        for index, char in enumerate(reversed(body + check)):
            digit = int(char) * (2 if index % 2 else 1)
            total += digit - 9 if digit > 9 else digit
        if total % 10 == 0:
            return body + check
    raise AssertionError("unreachable: one check digit always fits")


def _iban(rng: random.Random) -> str:
    bban = "WEST" + _digits(rng, 14)
    number = int("".join(str(int(char, 36)) for char in bban + "GB00"))
    return f"GB{98 - number % 97:02d}{bban}"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _base64_with_symbols(rng: random.Random) -> str:
    while True:
        text = base64.b64encode(rng.randbytes(rng.choice((25, 28, 31)))).decode()
        if ("+" in text or "/" in text) and not text.startswith("/"):
            return text


def make_secrets(seed: int, variant: int) -> list[Secret]:
    """One secret of every class, drawn from `seed`; `variant` picks among each class's spellings."""
    rng = random.Random(seed)

    def pick(*options: str) -> str:
        return options[variant % len(options)]

    local, domain = rng.choice(["jane", "omar", "li"]), rng.choice(["mail", "corp"])
    email = f"{local}.{_alnum(rng, 6).lower()}@{domain}-example.com"
    card = _luhn_card(rng)
    groups = [card[i : i + 4] for i in range(0, 16, 4)]
    card_shown = pick(card, " ".join(groups), "-".join(groups))
    ssn = f"{rng.randint(100, 665)}-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}"
    line = _digits(rng, 4)
    phone = pick(f"+44 20 7946 {line}", f"+1415555{line}", f"+1 (415) 555-{line}")
    iban = _iban(rng)
    iban_shown = pick(iban, " ".join(iban[i : i + 4] for i in range(0, len(iban), 4)))
    ipv4 = f"{rng.choice(['203.0.113', '198.51.100', '192.0.2'])}.{rng.randint(1, 254)}"
    ipv6 = f"2001:db8::{rng.randint(1, 0xFFFF):x}:{rng.randint(1, 0xFFFF):x}"
    header = _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    jwt = f"{header}.{_b64url(json.dumps({'sub': _alnum(rng, 8)}).encode())}.{_alnum(rng, 43)}"
    opaque = _alnum(rng, rng.choice((32, 40, 48)))
    slack = f"xoxb-{_digits(rng, 12)}-{_digits(rng, 13)}-{_alnum(rng, 24)}"
    b64 = _base64_with_symbols(rng)
    aws = "AKIA" + "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(16))
    password = f"hunter-{rng.choice(['horse', 'staple', 'battery'])}-{_digits(rng, 5)}"
    name = pick("password", "token", "secret", "access_token", "api_key")
    bearer = _alnum(rng, 32)
    key_body = _alnum(rng, 48)
    return [
        Secret("email", (email,), pick(email, email.replace("@", "%40")), f"contact {email} today"),
        Secret("card", (card, card_shown), quote(card_shown), f"card {card_shown} on file"),
        Secret("ssn", (ssn,), ssn, f"ssn {ssn} on file"),
        Secret("phone", (phone,), quote(phone, safe="+"), f"call {phone} after six"),
        Secret("iban", (iban, iban_shown), quote(iban_shown), f"pay to {iban_shown} monthly"),
        Secret("ipv4", (ipv4,), ipv4, f"client {ipv4} called"),
        Secret("ipv6", (ipv6,), pick(ipv6, quote(ipv6, safe="")), f"client {ipv6} called"),
        Secret("jwt", (jwt,), jwt, f"Authorization: Bearer {jwt}"),
        Secret("opaque", (opaque,), opaque, f"reset secret {opaque} sent"),
        Secret("slack", (slack,), slack, f"notify with {slack} please"),
        Secret("base64", (b64,), quote(b64, safe=""), f"blob {b64} attached"),
        Secret("aws", (aws,), aws, f"aws {aws} key"),
        Secret(
            "pair",
            (password,),
            f"{name}={password}",
            pick(
                f"{name}={password}",
                f'{{"{name}": "{password}"}}',
                f"{{'{name}': '{password}'}}",
                f"redis://:{password}@cache.internal:6379",
                f"Cookie: theme=dark; session={password}; csrftoken={password}",
            ),
        ),
        Secret("bearer", (bearer,), quote(f"Bearer {bearer}"), f"Authorization: Bearer {bearer}"),
        Secret(
            "private-key",
            (key_body,),
            key_body,
            f"-----BEGIN RSA PRIVATE KEY-----\n{key_body}\n-----END RSA PRIVATE KEY-----",
            is_multiline=True,
        ),
        Secret(
            "bidi",
            ("\u202e", "\u2028", "\u2066"),
            "a\u202eb\u2066c",
            "left \u202e right \u2028 next \u2066 end",
            is_character=True,
        ),
    ]


_DNS_LABEL_KINDS = ("opaque", "slack", "aws")  # the classes a host name can carry
_NO_SPACES = str.maketrans({" ": "_", "\n": "_"})


def write_estate(root: Path, secrets: list[Secret]) -> list[Path]:
    """A folder per secret, named after it, holding a spec, an APISIX config, an access log and a
    broken spec (whose failure message names its folder); returns the folders."""
    folders = []
    for index, secret in enumerate(secrets):
        folder = root / f"{index:02d}-{secret.segment[:100]}"
        folder.mkdir(parents=True)
        text = secret.text if not secret.is_multiline else secret.segment
        (folder / "openapi.yaml").write_text(_spec(index, secret), encoding="utf-8")
        (folder / "apisix.yaml").write_text(_gateway(index, secret, text), encoding="utf-8")
        (folder / f"{secret.segment[:100]}.log").write_text(_log(index, secret, text), encoding="utf-8")
        (folder / "broken.yaml").write_text("openapi: 3.0.3\npaths: [\n", encoding="utf-8")
        folders.append(folder)
    return folders


def _spec(index: int, secret: Secret) -> str:
    operation = {
        "operationId": secret.text if not secret.is_multiline else secret.segment,
        "summary": secret.text if not secret.is_multiline else "a key",
        "description": secret.text,
        "parameters": [
            {"name": secret.segment, "in": "query", "schema": {"type": "string"}},
            {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}},
        ],
        "security": [{secret.segment: []}],
        "responses": {"200": {"description": secret.text}},
    }
    document = {
        "openapi": "3.0.3",
        "info": {"title": f"Planted {index} {secret.text}", "version": "1.0", "description": secret.text},
        "servers": [
            {"url": f"https://api.example.com/base/{secret.segment}"},
            {"url": f"https://admin:{secret.segment}@api{index}.example.com/v1"},
        ],
        "paths": {
            f"/v1/things/{secret.segment}/details": {"get": operation},
            f"/v1/items/{{id}}/{secret.segment}": {"get": {**operation, "operationId": f"items{index}"}},
        },
        "components": {
            "securitySchemes": {secret.segment: {"type": "apiKey", "in": "header", "name": secret.segment}}
        },
    }
    return str(yaml.safe_dump(document, allow_unicode=True, sort_keys=False))


def _gateway(index: int, secret: Secret, text: str) -> str:
    host_token = secret.segment if secret.kind in _DNS_LABEL_KINDS else "api"
    document = {
        "routes": [
            {
                "id": secret.segment,
                "name": text,
                "uris": [f"/r{index}/{secret.segment}/x", f"/v1/things/{secret.segment}/details"],
                "hosts": [f"{host_token}.example.com"],
                "vars": [["http_x_token", "==", secret.segment]],
                "upstream": {
                    "nodes": {f"admin:{secret.segment}@backend.internal:8080": 1, f"{secret.segment}:80": 1}
                },
                "plugins": {
                    "key-auth": {"header": "apikey"},
                    "openid-connect": {
                        "client_id": "gw",
                        "client_secret": secret.segment,
                        "bearer_only": True,
                        "discovery": f"https://auth.example.com/{secret.segment}",
                    },
                    "limit-count": {"count": 10, "time_window": 60, "key_type": "var", "key": secret.segment},
                },
            }
        ],
        "consumers": [
            {"username": f"partner{index}", "desc": text, "plugins": {"key-auth": {"key": secret.segment}}}
        ],
    }
    return str(yaml.safe_dump(document, allow_unicode=True, sort_keys=False)) + "#END\n"


def _log(index: int, secret: Secret, text: str) -> str:
    client = secret.values[0] if secret.kind in ("ipv4", "ipv6") else f"203.0.113.{index + 1}"
    user = secret.segment.translate(_NO_SPACES)
    agent = text.replace('"', "'").translate(_NO_SPACES)
    host = f"{secret.segment}.example.com" if secret.kind in _DNS_LABEL_KINDS else "api.example.com"
    paths = [
        f"/api/{secret.segment}/view?q={quote(secret.text)}&token={quote(secret.values[0])}",
        f"/password/reset/{secret.segment}",
        f"https://{host}/v1/x",
        f"/v1/things/{secret.segment}/details",
    ]
    return "".join(
        f'{client} - {user} [09/Nov/2026:08:{minute:02d}:00 +0000] "GET {path} HTTP/1.1" 200 512 '
        f'"https://ref.example.com/?{quote(secret.text)}" "{agent}"\n'
        for minute, path in enumerate(paths)
    )
