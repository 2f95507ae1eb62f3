"""Seeded access logs whose ids are as varied as a real API's: the log engines are judged on these.

`synthetic_log.py` draws ids from a heavy-tailed popularity, so a million lines hold few distinct
URLs; real payments and insurance APIs do not look like that. `write_realistic_log` writes N lines of
nginx/Apache "combined" format where most requests carry an account, policy or claim id or a UUID
drawn from large id spaces (about half a million distinct URLs per million lines), over:

- documented traffic on the templates given (the demo estate's specs, or `PAYMENTS_TEMPLATES`),
- shadow traffic on paths no spec documents (`/internal/...`, an old `/v0/...`),
- scanner probes answered 404 (`/.env`, `/wp-login.php` ...),
- an enumeration burst: one client walking account ids upwards, one request per id,
- a credential-stuffing burst: one client posting to the login endpoint, answered 401 mostly.

Timestamps advance monotonically over about a week; the same seed always gives the same bytes.
"""

from __future__ import annotations

import gzip
import random
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from synthetic_log import _AGENTS, _REFERERS, _client_addresses, _split_template

__all__ = ["PAYMENTS_TEMPLATES", "write_realistic_log"]

PAYMENTS_TEMPLATES: tuple[str, ...] = (
    "GET /v1/accounts/{accountId}",
    "GET /v1/accounts/{accountId}/balance",
    "GET /v1/accounts/{accountId}/transactions",
    "POST /v1/accounts/{accountId}/payments",
    "GET /v1/payments/{paymentId}",
    "GET /v1/policies/{policyId}",
    "GET /v1/policies/{policyId}/documents/{documentId}",
    "GET /v2/claims/{claimId}",
    "PATCH /v2/claims/{claimId}",
    "POST /v2/claims",
    "POST /v1/auth/login",
    "POST /oauth/token",
    "GET /health",
)
SHADOW_TEMPLATES: tuple[str, ...] = (
    "GET /internal/accounts/{accountId}/export",
    "GET /v0/accounts/{accountId}",
    "POST /internal/reindex",
)
_PROBES = (
    "/wp-login.php", "/.env", "/admin/config.php", "/.git/config", "/phpmyadmin/index.php", "/actuator/env",
)
_STATUSES = (
    (200, 80), (201, 5), (204, 2), (304, 2), (400, 3), (401, 2), (403, 1), (404, 3), (429, 1), (500, 1),
)
_WEEK_SECONDS = 7 * 24 * 3600
_ENUMERATION_SHARE = 0.01  # lines of the enumeration burst
_STUFFING_SHARE = 0.005  # lines of the credential-stuffing burst


def write_realistic_log(
    path: Path,
    lines: int,
    seed: int,
    templates: Sequence[str] = PAYMENTS_TEMPLATES,
    *,
    compress: bool | None = None,
    start: datetime = datetime(2026, 11, 9, tzinfo=UTC),
    prefix: str = "",
) -> Path:
    """Write `lines` combined-format lines to `path` (gzip when it ends in `.gz`) and return it; `prefix`
    goes before every line (`nginx-1  | ` for a `docker compose logs` capture)."""
    rng = random.Random(seed)
    documented = [_split_template(template) for template in templates]
    shadow = [_split_template(template) for template in SHADOW_TEMPLATES]
    clients = _client_addresses(rng, 2000)
    walker, stuffer = "203.0.113.66", "198.51.100.99"
    statuses, weights = zip(*_STATUSES)
    step = _WEEK_SECONDS / max(lines, 1)
    now = float(start.timestamp())
    next_account = 400_000
    use_gzip = path.suffix == ".gz" if compress is None else compress
    batch: list[str] = []
    with gzip.open(path, "wb", compresslevel=6) if use_gzip else path.open("wb") as handle:
        for _ in range(lines):
            now += step
            stamp = datetime.fromtimestamp(int(now), UTC).strftime("%d/%b/%Y:%H:%M:%S +0000")
            draw = rng.random()
            if draw < _ENUMERATION_SHARE:
                client, method, target, status = walker, "GET", f"/v1/accounts/{next_account}", 200
                next_account += 1
            elif draw < _ENUMERATION_SHARE + _STUFFING_SHARE:
                client, method, target = stuffer, "POST", "/v1/auth/login"
                status = 401 if rng.random() < 0.97 else 200
            elif draw < 0.03:
                client, method, target, status = rng.choice(clients), "GET", rng.choice(_PROBES), 404
            else:
                pool = shadow if draw < 0.06 else documented
                method, parts = pool[rng.randrange(len(pool))]
                target = "".join(
                    part if index % 2 == 0 else _fill(rng, part) for index, part in enumerate(parts)
                )
                if rng.random() < 0.1:
                    target += f"?page={rng.randrange(1, 40)}&api_key=sk_live_{rng.randrange(10**8):08d}"
                client = clients[min(int(rng.paretovariate(1.1)) - 1, len(clients) - 1)]
                status = rng.choices(statuses, weights)[0]
            size = 0 if status in (204, 304) else rng.randrange(120, 24_000)
            batch.append(
                f'{prefix}{client} - - [{stamp}] "{method} {target} HTTP/1.1" {status} {size} '
                f'"{rng.choice(_REFERERS)}" "{rng.choice(_AGENTS)}"\n'
            )
            if len(batch) >= 10_000:
                handle.write("".join(batch).encode())
                batch.clear()
        handle.write("".join(batch).encode())
    return path


def _fill(rng: random.Random, name: str) -> str:
    """An id drawn from a large space: most objects are called once or twice in a million lines."""
    lowered = name.lower()
    if "claim" in lowered:
        return f"CLM-{rng.randrange(2020, 2027)}-{rng.randrange(10**6):06d}"
    if "payment" in lowered or "document" in lowered:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))
    if "policy" in lowered:
        return f"POL-{rng.randrange(10**7):07d}"
    return str(rng.randrange(1, 3_000_000))
