"""Benchmark: reading a large nginx gateway config (one server, thousands of API locations).

Generates a seeded synthetic `nginx.conf` whose server declares limits, access rules and logs that
every location inherits or overrides (so inheritance lookups are exercised per location), reads it
`--runs` times and prints the median wall and CPU time and routes per second. The reader should be
linear in the number of locations: compare `--locations 1000` with `--locations 4000`.
Run: `python benchmarks/bench_nginx.py --locations 4000`.
"""

from __future__ import annotations

import argparse
import random

from gateway_timing import time_gateway_reader

from riskscan.sources.gateways.nginx import NginxReader

__all__ = ["main", "synthetic_config"]


def synthetic_config(locations: int, seed: int) -> str:
    """An http block with zones and one server of `locations` API locations, some nested."""
    rng = random.Random(seed)
    lines = [
        "http {",
        "  access_log /var/log/nginx/api.log;",
        "  limit_req_zone $binary_remote_addr zone=per_ip:10m rate=10r/s;",
        "  limit_req_zone $http_x_partner_id zone=per_partner:10m rate=600r/m;",
        "  server {",
        "    listen 443 ssl;",
        "    server_name api.example.test;",
        "    limit_req zone=per_ip burst=20;",
        "    allow 10.0.0.0/8;",
        "    deny all;",
    ]
    for index in range(locations):
        auth = rng.choice(['auth_basic "partners";', "auth_request /_auth;", ""])
        limit = rng.choice(["limit_req zone=per_partner;", ""])
        match = rng.choice([f"/svc{index}/", f"~ ^/svc{index}/[0-9]+$", f"= /svc{index}"])
        lines.append(
            f"    location {match} {{ {auth} {limit} proxy_set_header X-Request-ID $request_id;"
            f" proxy_pass http://backend{index % 50}.internal; }}"
        )
    lines += ["  }", "}"]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Generate the config, time the reads and print one line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--locations", type=int, default=4000)
    parser.add_argument("--runs", type=int, default=3, help="reads (median reported)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    time_gateway_reader(lambda path, context: NginxReader().read(path, context), "nginx.conf",
                        synthetic_config(args.locations, args.seed), args.runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
