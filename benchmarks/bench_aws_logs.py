"""Benchmark: ALB and CloudFront log ingestion (parse, redact, reduce, aggregate), plain and gzip.

Generates the seeded realistic combined log of `realistic_log.py` (ids as varied as a real API's:
hundreds of thousands of distinct paths per million lines, with shadow, scanner, enumeration and
stuffing traffic), rewrites every line as an ALB entry (today's trailing fields included) and as a
CloudFront W3C entry (all 33 legacy fields), and reads each with its reader, beside the access-log
reader on the original as the reference. Prints median wall and CPU time and lines per second.
Run: `python benchmarks/bench_aws_logs.py --lines 1000000`.
"""

from __future__ import annotations

import argparse
import gzip
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from realistic_log import write_realistic_log

from riskscan.sources import ReadContext, SourceReader, make_client_hasher
from riskscan.sources.traffic.access_log import AccessLogReader
from riskscan.sources.traffic.alb_log import AlbLogReader
from riskscan.sources.traffic.cloudfront_log import CloudFrontLogReader

__all__ = ["main"]

_COMBINED = re.compile(r'^(\S+) - - \[([^\]]+)\] "(\S+) (\S+) HTTP/1\.1" (\d{3}) (\d+) "([^"]*)" "([^"]*)"$')
_ARN = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/payments/73e2d6bc24d8a067"
_CF_FIELDS = (
    "date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) "
    "cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken "
    "x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status "
    "fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len "
    "sc-range-start sc-range-end"
)


def _combined_fields(source: Path) -> Iterator[tuple[str, ...]]:
    with source.open(encoding="utf-8") as handle:
        for line in handle:
            found = _COMBINED.match(line.rstrip("\n"))
            if found is not None:
                yield found.groups()


def _alb_line(number: int, fields: tuple[str, ...]) -> str:
    client, stamp, method, target, status, size, _, agent = fields
    when = datetime.strptime(stamp, "%d/%b/%Y:%H:%M:%S %z").strftime("%Y-%m-%dT%H:%M:%S.") + f"{number % 10**6:06d}Z"
    return (
        f"https {when} app/payments-alb/50dc6c495c0c9188 {client}:{1024 + number % 60000} 10.0.3.17:8080 0.001 "
        f'0.013 0.000 {status} {status} 412 {size} "{method} https://api.example-insurer.com:443{target} HTTP/1.1" '
        f'"{agent}" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 {_ARN} "Root=1-6929a1b0-{number:024x}" '
        f'"api.example-insurer.com" "-" 3 {when} "forward" "-" "-" "10.0.3.17:8080" "{status}" "-" "-" '
        f"TID_{number:016x}\n"
    )


def _cloudfront_line(number: int, fields: tuple[str, ...]) -> str:
    client, stamp, method, target, status, size, referer, agent = fields
    moment = datetime.strptime(stamp, "%d/%b/%Y:%H:%M:%S %z")
    stem, _, query = target.partition("?")
    values = (
        moment.strftime("%Y-%m-%d"), moment.strftime("%H:%M:%S"), "LHR62-C2", size, client, method,
        "d111111abcdef8.cloudfront.net", stem, status, referer, agent.replace(" ", "%20"), query or "-", "-", "Miss",
        f"SOX4xwn4XV6Q{number:012d}==", "api.example-insurer.com", "https", "412", "0.082", "-", "TLSv1.3",
        "TLS_AES_128_GCM_SHA256", "Miss", "HTTP/2.0", "-", "-", str(1024 + number % 60000), "0.080", "Miss",
        "application/json", size, "-", "-",
    )
    return "\t".join(values) + "\n"


def write_aws_logs(folder: Path, lines: int, seed: int) -> dict[str, Path]:
    """The realistic log and its ALB and CloudFront renderings, plain and gzip."""
    combined = write_realistic_log(folder / "access.log", lines, seed)
    alb, cloudfront = folder / "alb.log", folder / "cloudfront.log"
    with alb.open("w", encoding="utf-8") as alb_out, cloudfront.open("w", encoding="utf-8") as cf_out:
        cf_out.write(f"#Version: 1.0\n#Fields: {_CF_FIELDS}\n")
        for number, fields in enumerate(_combined_fields(combined)):
            alb_out.write(_alb_line(number, fields))
            cf_out.write(_cloudfront_line(number, fields))
    paths = {"access.log": combined, "alb.log": alb, "cloudfront.log": cloudfront}
    for name in ("alb.log", "cloudfront.log"):
        packed = folder / f"{name}.gz"
        with paths[name].open("rb") as source, gzip.open(packed, "wb", compresslevel=6) as target:
            shutil.copyfileobj(source, target)
        paths[f"{name}.gz"] = packed
    return paths


def time_read(reader: SourceReader, path: Path, runs: int) -> tuple[float, float, int]:
    """Median wall and CPU seconds over `runs` reads of `path`, and the lines it parsed."""
    walls: list[float] = []
    cpus: list[float] = []
    parsed = 0
    for _ in range(runs):
        context = ReadContext(root=path.parent, client_id=make_client_hasher(b"bench"))
        started, started_cpu = time.perf_counter(), time.process_time()
        sample = reader.read(path, context)
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - started_cpu)
        parsed = getattr(sample, "parsed_lines", 0)
    return statistics.median(walls), statistics.median(cpus), parsed


def main(argv: list[str] | None = None) -> int:
    """Generate the logs, time the reads and print one line per format and compression."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000, help="log lines to generate")
    parser.add_argument("--runs", type=int, default=3, help="reads per variant (median reported)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    readers: dict[str, SourceReader] = {"access.log": AccessLogReader(), "alb.log": AlbLogReader(),
                                        "cloudfront.log": CloudFrontLogReader()}
    with tempfile.TemporaryDirectory() as folder:
        for name, path in write_aws_logs(Path(folder), args.lines, args.seed).items():
            wall, cpu, parsed = time_read(readers[name.removesuffix(".gz")], path, args.runs)
            print(
                f"{name:18s} {args.lines:>10,} lines {path.stat().st_size / 1e6:7.1f} MB  median {wall:5.2f} s "
                f"{args.lines / wall:>9,.0f} lines/s  (cpu {cpu:5.2f} s {args.lines / cpu:>9,.0f} lines/s, "
                f"{parsed:,} parsed)", flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
