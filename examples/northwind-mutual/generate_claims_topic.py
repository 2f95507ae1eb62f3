"""Generate the Northwind Mutual claims-service log: the kafka-logger topic, dumped as JSON lines.

The gateway's `claims` service logs through APISIX's `kafka-logger` to the topic
`apisix-claims-access` (see gateway/apisix.yaml). This script writes `logs/claims-topic.jsonl.gz`: the
topic's messages for the week before the access log (Monday 2 to Sunday 8 November 2026), one APISIX
default log entry per line, as a consumer such as `kcat -C -t apisix-claims-access -e` prints them.
The callers are the access log's own partners (same seed, same addresses) using the routes the
claims service serves (`/v2/claims*`, `/v2/claim-status/*`), plus two things only this log shows:
an internal fraud-scoring job calling an undocumented `GET /v2/claims/{claimId}/fraud-score` each
night, and a broker re-opening claims through an undocumented `POST /v2/claims/{claimId}/reopen`.

Deterministic, standard library only:

    python generate_claims_topic.py            # rewrites logs/claims-topic.jsonl.gz (6,000 lines)
    python generate_claims_topic.py --lines 800 -o /tmp/topic.jsonl.gz
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import random
import sys
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the access log's generator, beside this script

import generate_traffic as traffic  # noqa: E402

__all__ = ["DEFAULT_LINES", "generate_entries", "main", "render_topic"]

DEFAULT_LINES = 6_000
DEFAULT_OUTPUT = Path(__file__).resolve().parent / "logs" / "claims-topic.jsonl.gz"
WEEK_OFFSET = -7 * traffic.DAY  # the week before the access log's
HOST = "api.northwind-mutual.example"
FRAUD_JOB_IP = "2001:db8:f00d::44"
FRAUD_JOB_TOKEN = "NWM-DEMO-SECRET-BEARER-FRAUD-2b7e91"
REOPEN_SHARE, FRAUD_SHARE = 0.0015, 0.01
FRAUD_CLAIMS = 24  # claims under investigation: the job rescores these, it does not walk the book
_CONSUMERS = {"repairer-1": "repairer_crashfix", "repairer-2": "repairer_glassgo"}  # key-auth on claim-status


def _claims_partners(rng: random.Random) -> list[tuple[traffic.Partner, tuple[traffic.Call, ...]]]:
    """The access log's partners with the calls the claims service serves, those that make any."""
    served = []
    for partner in traffic._make_partners(rng):
        calls = tuple(call for call in partner.calls if call.path.startswith(("/v2/claims", "/v2/claim-status/")))
        if calls:
            served.append((partner, calls))
    return served


def _entry(second: int, ip: str, method: str, target: str, status: int, agent: str, rng: random.Random,
           route: str, consumer: str | None = None, token: str | None = None) -> dict[str, object]:
    """One APISIX default log entry (`log-util`'s full log) as kafka-logger sends it."""
    path, _, query = target.partition("?")
    headers = {"host": HOST, "user-agent": agent, "accept": "application/json",
               "x-request-id": str(uuid.UUID(int=rng.getrandbits(128), version=4))}
    if token is not None:
        headers["authorization"] = f"Bearer {token}"
    latency = round(rng.uniform(8, 120), 2)
    entry: dict[str, object] = {
        "request": {"url": f"https://{HOST}:443{target}", "uri": target, "method": method,
                    "size": rng.randint(180, 900), "headers": headers,
                    "querystring": dict(item.partition("=")[::2] for item in query.split("&") if item)},
        "response": {"status": status, "size": rng.randint(120, 6_000),
                     "headers": {"content-type": "application/json", "server": "APISIX/3.9.1"}},
        "server": {"hostname": f"apisix-{rng.randint(1, 3)}", "version": "3.9.1"},
        "upstream": f"10.20.3.{rng.randint(11, 14)}:8443",
        "start_time": int((traffic.WEEK_START.timestamp() + WEEK_OFFSET + second) * 1000) + rng.randint(0, 999),
        "client_ip": ip, "service_id": "claims", "route_id": route,
        "latency": latency, "upstream_latency": round(latency * 0.85), "apisix_latency": round(latency * 0.15, 2),
    }
    if consumer is not None:
        entry["consumer"] = {"username": consumer}
    return entry


def _ordinary(rng: random.Random, count: int) -> list[tuple[int, dict[str, object]]]:
    served = _claims_partners(rng)
    chosen = rng.choices(served, weights=[partner.weight * len(calls) for partner, calls in served], k=count)
    events = []
    for partner, calls in chosen:
        call = rng.choices(calls, weights=[c.weight for c in calls])[0]
        target = traffic._fill(call.path, rng, partner)
        if call.query:
            target += "?" + traffic._fill(call.query, rng, partner)
        status = traffic._pick_status(rng, call)
        second = traffic._pick_second(rng, partner.hours)
        is_status = call.path.startswith("/v2/claim-status/")
        route = "claim-status-prod" if is_status else "claims-prod"
        consumer = _CONSUMERS.get(partner.name) if is_status and status not in (401, 403) else None
        events.append((second, _entry(second, rng.choice(partner.ips), call.method, target, status, partner.agent,
                                      rng, route, consumer)))
    return events


def _fraud_scoring(rng: random.Random, count: int) -> list[tuple[int, dict[str, object]]]:
    """A nightly job re-scoring the few claims under investigation through an endpoint no spec documents."""
    under_investigation = [7_000_000 + rng.randint(0, 90_000) for _ in range(FRAUD_CLAIMS)]
    events = []
    for index in range(count):
        night, step = divmod(index, max(1, -(-count // 7)))
        second = night * traffic.DAY + 3 * 3600 + step * 11 + rng.randint(0, 5)
        target = f"/v2/claims/{rng.choice(under_investigation):07d}/fraud-score"
        events.append((second, _entry(second, FRAUD_JOB_IP, "GET", target, 200, "fraud-scorer/1.4 (python-httpx/0.27.2)",
                                      rng, "claims-prod", token=FRAUD_JOB_TOKEN)))
    return events


def _reopened(rng: random.Random, count: int) -> list[tuple[int, dict[str, object]]]:
    """A broker's back office re-opening settled claims through another undocumented endpoint."""
    events = []
    for _ in range(count):
        second = traffic._pick_second(rng, traffic._OFFICE_HOURS)
        target = f"/v2/claims/{7_000_000 + rng.randint(0, 90_000):07d}/reopen"
        status = rng.choices((200, 409), weights=(5, 1))[0]
        events.append((second, _entry(second, traffic.BACK_OFFICE_IP, "POST", target, status,
                                      "Harbourline-BMS/7.2 (+https://harbourline.example)", rng, "claims-prod")))
    return events


def generate_entries(lines: int = DEFAULT_LINES, seed: int = traffic.DEFAULT_SEED) -> list[str]:
    """Exactly `lines` JSON lines in time order, the same for the same seed."""
    fraud, reopen = max(14, round(lines * FRAUD_SHARE)), max(3, round(lines * REOPEN_SHARE))
    if lines - fraud - reopen < 100:
        raise ValueError(f"--lines must be at least {fraud + reopen + 100}")
    rng = random.Random(seed)
    events = [*_ordinary(rng, lines - fraud - reopen), *_fraud_scoring(rng, fraud), *_reopened(rng, reopen)]
    ordered = sorted(enumerate(events), key=lambda item: (item[1][0], item[0]))
    return [json.dumps(entry, separators=(",", ":")) for _, (_, entry) in ordered]


def render_topic(lines: int = DEFAULT_LINES, seed: int = traffic.DEFAULT_SEED) -> bytes:
    """The gzip-compressed dump, with no timestamp or file name in the gzip header (reproducible)."""
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, compresslevel=9, mtime=0) as stream:
        for line in generate_entries(lines, seed):
            stream.write(line.encode("ascii") + b"\n")
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    """Command line: `python generate_claims_topic.py [--lines N] [--seed S] [-o PATH]`."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--lines", type=int, default=DEFAULT_LINES, help="number of entries (default 6000)")
    parser.add_argument("--seed", type=int, default=traffic.DEFAULT_SEED, help="random seed (default %(default)s)")
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_OUTPUT, help="where to write the .gz dump")
    options = parser.parse_args(argv)
    try:
        data = render_topic(options.lines, options.seed)
    except ValueError as error:
        parser.error(str(error))
    options.output.parent.mkdir(parents=True, exist_ok=True)
    temporary = options.output.with_name(options.output.name + ".tmp")
    temporary.write_bytes(data)
    os.replace(temporary, options.output)
    print(f"wrote {options.lines} entries ({len(data):,} bytes) to {options.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
