"""Benchmark: gateway log ingestion (decode, reduce, aggregate), one line per format.

Generates the realistic combined log of `realistic_log.py` (hundreds of thousands of distinct ids per
million lines, enumeration and stuffing bursts), rewrites each request as an APISIX logger entry (the
heaviest: request and response headers, about 700 bytes), a Kong file-log entry, an Envoy JSON
access-log entry, a Traefik JSON entry, a Caddy access entry (with its headers) and a HAProxy
HTTP log line behind a syslog prefix (text, with captured headers), then reads each file with its reader and prints the median
wall and CPU time and lines per second. The access-log reader on the same requests is the yardstick.
Run: `python benchmarks/bench_jsonl.py --lines 1000000` (generation takes a while; it is not timed).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from realistic_log import write_realistic_log

from riskscan.model import SourceKind
from riskscan.sources import READERS, ReadContext, make_client_hasher

__all__ = ["main"]

_LINE = re.compile(r'^(\S+) - - \[([^\]]+)\] "(\S+) (\S+) HTTP/1.1" (\d{3}) (\d+) "([^"]*)" "([^"]*)"$')
_HOST = "api.example-insurer.com"
Request = tuple[str, float, str, str, int, int, str]  # client, epoch, method, target, status, size, agent


def _apisix(r: Request) -> dict[str, object]:
    client, epoch, method, target, status, size, agent = r
    return {"request": {"url": f"https://{_HOST}{target}", "uri": target, "method": method, "size": 210,
                        "querystring": {}, "headers": {"host": _HOST, "user-agent": agent, "accept": "*/*",
                                                       "x-request-id": "9b0c7a51-2f4e-4c21-9d8e-3a1f0c5b7e42"}},
            "response": {"status": status, "size": size, "headers": {"content-type": "application/json",
                                                                     "server": "APISIX/3.9.1"}},
            "server": {"hostname": "gw-1", "version": "3.9.1"}, "upstream": "10.0.4.12:8080",
            "start_time": int(epoch * 1000), "client_ip": client, "route_id": "r1", "service_id": "s1",
            "latency": 18.2, "upstream_latency": 15, "apisix_latency": 3.2}


def _kong(r: Request) -> dict[str, object]:
    client, epoch, method, target, status, size, _ = r
    return {"request": {"method": method, "uri": target, "url": f"https://{_HOST}:8443{target}", "size": 98},
            "response": {"status": status, "size": size}, "route": {"name": "api", "paths": ["/v1"]},
            "service": {"name": "api", "host": "api.internal", "port": 8080}, "client_ip": client,
            "started_at": int(epoch * 1000), "latencies": {"kong": 2, "proxy": 14, "request": 16}}


def _envoy(r: Request) -> dict[str, object]:
    client, epoch, method, target, status, size, agent = r
    stamp = datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.123Z")
    return {"start_time": stamp, "method": method, "path": target, "protocol": "HTTP/1.1", "response_code": status,
            "response_flags": "-", "bytes_sent": size, "duration": 14, "user_agent": agent, "authority": _HOST,
            "downstream_remote_address": f"{client}:51234", "upstream_host": "10.0.4.12:8080"}


def _traefik(r: Request) -> dict[str, object]:
    client, epoch, method, target, status, size, _ = r
    stamp = datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.123456789Z")
    return {"ClientHost": client, "ClientPort": "51234", "DownstreamStatus": status, "DownstreamContentSize": size,
            "Duration": 14000000, "RequestHost": _HOST, "RequestMethod": method, "RequestPath": target,
            "RequestProtocol": "HTTP/1.1", "RouterName": "api@file", "StartUTC": stamp, "level": "info"}


def _caddy(r: Request) -> dict[str, object]:
    client, epoch, method, target, status, size, agent = r
    return {"level": "info", "ts": epoch + 0.123456, "logger": "http.log.access.log0", "msg": "handled request",
            "request": {"remote_ip": client, "remote_port": "51234", "client_ip": client, "proto": "HTTP/2.0",
                        "method": method, "host": _HOST, "uri": target,
                        "headers": {"User-Agent": [agent], "Accept": ["*/*"]}},
            "bytes_read": 0, "user_id": "", "duration": 0.0142, "size": size, "status": status,
            "resp_headers": {"Server": ["Caddy"], "Content-Type": ["application/json"]}}


def _haproxy(r: Request) -> str:
    client, epoch, method, target, status, size, agent = r
    moment = datetime.fromtimestamp(epoch, UTC)
    return (f"{moment:%b} {moment.day:2d} {moment:%H:%M:%S} lb-1 haproxy[7]: {client}:51234 "
            f"[{moment:%d/%b/%Y:%H:%M:%S}.123] https_in~ api/app1 0/0/1/12/13 {status} {size} - - ---- "
            f'3/3/1/1/0 0/0 {{{agent}|{_HOST}}} "{method} {target} HTTP/1.1"')


FORMATS: dict[SourceKind, Callable[[Request], dict[str, object] | str]] = {
    SourceKind.APISIX_LOG: _apisix, SourceKind.KONG_LOG: _kong, SourceKind.ENVOY_LOG: _envoy,
    SourceKind.TRAEFIK_LOG: _traefik, SourceKind.CADDY_LOG: _caddy, SourceKind.HAPROXY_LOG: _haproxy,
}


def _text(entry: dict[str, object] | str) -> str:
    return entry if isinstance(entry, str) else json.dumps(entry, separators=(",", ":"))


def _requests(combined: Path) -> list[Request]:
    requests = []
    for line in combined.read_text().splitlines():
        found = _LINE.match(line)
        assert found is not None, line
        epoch = datetime.strptime(found[2], "%d/%b/%Y:%H:%M:%S %z").timestamp()
        requests.append((found[1], epoch, found[3], found[4], int(found[5]), int(found[6]), found[8]))
    return requests


def _time_read(kind: SourceKind, path: Path, runs: int) -> tuple[float, float, int]:
    walls, cpus, parsed = [], [], 0
    for _ in range(runs):
        context = ReadContext(root=path.parent, client_id=make_client_hasher(b"bench"))
        started, started_cpu = time.perf_counter(), time.process_time()
        parsed = READERS[kind].read(path, context).parsed_lines  # type: ignore[union-attr]
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - started_cpu)
    return statistics.median(walls), statistics.median(cpus), parsed


def main(argv: list[str] | None = None) -> int:
    """Generate the logs, time the reads and print one line per format."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000, help="requests to generate")
    parser.add_argument("--runs", type=int, default=3, help="reads per format (median reported)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        combined = write_realistic_log(Path(folder) / "access.log", args.lines, args.seed)
        requests = _requests(combined)
        files = {SourceKind.ACCESS_LOG: combined}
        for kind, shape in FORMATS.items():
            files[kind] = Path(folder) / f"{kind.value}.jsonl"
            with files[kind].open("w") as handle:
                handle.writelines(_text(shape(request)) + "\n" for request in requests)
        for kind, path in files.items():
            wall, cpu, parsed = _time_read(kind, path, args.runs)
            size = path.stat().st_size / 1e6
            print(f"{kind.value:12s} {args.lines:>10,} lines {size:7.1f} MB  median {wall:6.2f} s "
                  f"{args.lines / wall:>9,.0f} lines/s  (cpu {cpu:6.2f} s {args.lines / cpu:>9,.0f} lines/s, "
                  f"{parsed:,} parsed)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
