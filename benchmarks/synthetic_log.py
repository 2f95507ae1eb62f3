"""Seeded synthetic access logs for benchmarks: realistic combined-format traffic, plain or gzip.

`write_synthetic_log` writes N lines of nginx/Apache "combined" format over a set of API path
templates (`GET /v1/policies/{policyId}`), with ids filled in, several hundred client addresses (some
IPv6), a week of timestamps advancing monotonically, a realistic mix of 2xx/4xx/5xx answers, some
query strings, scanner noise and a few user agents. The same seed always gives the same bytes.
"""

from __future__ import annotations

import gzip
import random
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

__all__ = ["DEFAULT_TEMPLATES", "write_synthetic_log"]

DEFAULT_TEMPLATES: tuple[str, ...] = (
    "GET /v1/policies",
    "GET /v1/policies/{policyId}",
    "GET /v1/policies/{policyId}/documents",
    "GET /v1/policies/{policyId}/documents/{documentId}",
    "POST /v1/quotes",
    "GET /v1/quotes/{quoteId}",
    "PUT /v1/quotes/{quoteId}",
    "POST /v1/quotes/{quoteId}/bind",
    "GET /v2/claims",
    "POST /v2/claims",
    "GET /v2/claims/{claimId}",
    "PATCH /v2/claims/{claimId}",
    "GET /v2/claims/{claimId}/attachments/{attachmentId}",
    "POST /v1/coverage/verify",
    "GET /v1/coverage/{policyId}/status",
    "POST /v1/brokers/onboarding",
    "GET /v1/brokers/{brokerId}",
    "DELETE /v1/brokers/{brokerId}/keys/{keyId}",
    "GET /health",
    "GET /v0/policies/{policyId}",
)

_AGENTS = (
    "HarborPartnerSDK/2.1 (python 3.11)",
    "okhttp/4.12.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
    "curl/8.5.0",
    "Go-http-client/2.0",
    "BrokerPortal/5.4 (+https://broker.example.net)",
)
_REFERERS = ("-", "-", "-", "https://portal.example-insurer.com/claims", "https://broker.example.net/app")
_PROBES = ("/wp-login.php", "/.env", "/admin/config.php", "/.git/config", "/phpmyadmin/index.php")
# (status, weight): mostly success, some client errors, a few server errors.
_STATUSES = ((200, 70), (201, 6), (204, 3), (304, 3), (400, 4), (401, 4), (403, 2), (404, 5), (429, 2),
             (500, 1), (502, 0.5), (503, 0.5))
_WEEK_SECONDS = 7 * 24 * 3600


def write_synthetic_log(
    path: Path,
    lines: int,
    seed: int,
    templates: Sequence[str] = DEFAULT_TEMPLATES,
    *,
    compress: bool | None = None,
    start: datetime = datetime(2026, 11, 9, tzinfo=UTC),
) -> Path:
    """Write `lines` combined-format log lines to `path` and return it.

    `templates` are "METHOD /path/{param}" strings; each parameter is filled with a numeric, prefixed
    or UUID-like id. `compress` defaults to True when the name ends in `.gz`. Timestamps start at
    `start` and advance monotonically over about a week whatever the line count.
    """
    rng = random.Random(seed)
    parsed = [_split_template(template) for template in templates]
    clients = _client_addresses(rng, 400)
    statuses, weights = zip(*_STATUSES)
    use_gzip = path.suffix == ".gz" if compress is None else compress
    mean_step = _WEEK_SECONDS / max(lines, 1)
    epoch = int(start.timestamp())
    with gzip.open(path, "wb") if use_gzip else path.open("wb") as handle:
        _write_lines(handle.write, rng, lines, parsed, clients, (statuses, weights), epoch, mean_step)
    return path


def _write_lines(
    write: Callable[[bytes], object],
    rng: random.Random,
    lines: int,
    templates: list[tuple[str, list[str]]],
    clients: list[str],
    status_table: tuple[tuple[int, ...], tuple[float, ...]],
    epoch: float,
    mean_step: float,
) -> None:
    """The generation loop: one formatted line per iteration, written in batches."""
    statuses, weights = status_table
    status_draws = rng.choices(statuses, weights, k=min(lines, 100_000) or 1)
    now = float(epoch)
    stamp_second = -1
    stamp = ""
    batch: list[str] = []
    for index in range(lines):
        now += rng.expovariate(1.0 / mean_step) if mean_step > 0 else 0.0
        second = int(now)
        if second != stamp_second:
            stamp_second = second
            stamp = datetime.fromtimestamp(second, UTC).strftime("%d/%b/%Y:%H:%M:%S +0000")
        batch.append(_one_line(rng, templates, clients, status_draws[index % len(status_draws)], stamp))
        if len(batch) >= 10_000:
            write("".join(batch).encode("utf-8"))
            batch.clear()
    write("".join(batch).encode("utf-8"))


def _one_line(
    rng: random.Random, templates: list[tuple[str, list[str]]], clients: list[str], status: int, stamp: str
) -> str:
    client = clients[min(int(rng.paretovariate(1.2)) - 1, len(clients) - 1)]
    if rng.random() < 0.01:
        method, target, status = "GET", rng.choice(_PROBES), 404
    else:
        method, parts = templates[rng.randrange(len(templates))]
        target = "".join(part if index % 2 == 0 else _fill(rng, part) for index, part in enumerate(parts))
        if rng.random() < 0.15:
            target += f"?page={rng.randrange(1, 40)}&limit=50"
    size = 0 if status in (204, 304) else rng.randrange(120, 24_000)
    user = "-" if rng.random() < 0.97 else "partner-ops"
    referer = rng.choice(_REFERERS)
    agent = rng.choice(_AGENTS)
    return f'{client} - {user} [{stamp}] "{method} {target} HTTP/1.1" {status} {size} "{referer}" "{agent}"\n'


def _split_template(template: str) -> tuple[str, list[str]]:
    """`GET /a/{id}/b` -> ("GET", ["/a/", "id", "/b"]): literals at even, parameter names at odd."""
    method, _, path = template.partition(" ")
    parts: list[str] = []
    rest = path
    while "{" in rest:
        literal, _, after = rest.partition("{")
        name, _, rest = after.partition("}")
        parts.extend((literal, name))
    parts.append(rest)
    return method.upper(), parts


def _fill(rng: random.Random, name: str) -> str:
    """An id for a path parameter, drawn from a heavy-tailed popularity (a few objects are called
    often, most rarely, as in real traffic): numeric mostly, prefixed or hex for some names."""
    number = 1000 + int(rng.paretovariate(0.5)) % 1_000_000
    lowered = name.lower()
    if "claim" in lowered:
        return f"CLM-{number}"
    if "document" in lowered or "attachment" in lowered:
        return f"{(number * 0x9E3779B97F4A7C15) % (1 << 128):032x}"
    if "key" in lowered:
        return f"key_{number:010x}"
    return str(number)


def _client_addresses(rng: random.Random, count: int) -> list[str]:
    """Documentation-range IPv4 addresses and a tenth IPv6, in a fixed order for the seed."""
    addresses: list[str] = []
    for index in range(count):
        if index % 10 == 9:
            addresses.append(f"2001:db8:{rng.randrange(65536):x}::{rng.randrange(1, 65536):x}")
        else:
            prefix = rng.choice(("192.0.2", "198.51.100", "203.0.113"))
            addresses.append(f"{prefix}.{rng.randrange(1, 255)}")
    return addresses
