"""Benchmark: reading a large Traefik dynamic configuration (thousands of routers).

Generates a seeded synthetic YAML file whose routers combine hosts, prefixes, v2 path variables and
methods, and share a few middleware lists (auth, limits, a chain), reads it `--runs` times and prints
the median wall and CPU time and routes per second. The reader should be linear in the number of
routers: compare `--routers 1000` with `--routers 4000`.
Run: `python benchmarks/bench_traefik.py --routers 4000`.
"""

from __future__ import annotations

import argparse
import random

import yaml

from gateway_timing import time_gateway_reader

from riskscan.sources.gateways.traefik import TraefikReader

__all__ = ["main", "synthetic_config"]


def synthetic_config(routers: int, seed: int) -> str:
    """A dynamic configuration of `routers` HTTP routers over shared middlewares and services."""
    rng = random.Random(seed)
    middlewares = {
        "staff": {"basicAuth": {"users": ["ops:$apr1$x$y"]}},
        "sso": {"forwardAuth": {"address": "http://auth.internal/verify"}},
        "per-ip": {"rateLimit": {"average": 10, "burst": 20}},
        "edge": {"chain": {"middlewares": ["per-ip", "cors"]}},
        "cors": {"headers": {"accessControlAllowOriginList": ["https://portal.example.test"]}},
    }
    services = {f"svc{n}": {"loadBalancer": {"servers": [{"url": f"http://svc{n}.internal:8080"}]}}
                for n in range(50)}
    table = {}
    for index in range(routers):
        path = rng.choice([f"PathPrefix(`/svc{index}/`)", f"Path(`/svc{index}/{{id:[0-9]+}}`)",
                           f"PathRegexp(`^/svc{index}/[a-z]+$`)"])
        table[f"r{index}"] = {
            "rule": f"Host(`api{index % 20}.example.test`) && ({path} || Path(`/svc{index}/health`))"
                    f" && Method(`{rng.choice(['GET', 'POST'])}`)",
            "middlewares": rng.choice([["sso", "edge"], ["staff"], ["per-ip"], []]),
            "service": f"svc{index % 50}",
        }
    return yaml.safe_dump({"http": {"routers": table, "middlewares": middlewares, "services": services}})


def main(argv: list[str] | None = None) -> int:
    """Generate the config, time the reads and print one line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--routers", type=int, default=4000)
    parser.add_argument("--runs", type=int, default=3, help="reads (median reported)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    time_gateway_reader(lambda path, context: TraefikReader().read(path, context), "dynamic.yaml",
                        synthetic_config(args.routers, args.seed), args.runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
