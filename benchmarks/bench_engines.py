"""Benchmark: which embedded columnar engine reads access logs for riskscan (Polars or DuckDB).

Generates a seeded realistic combined-format log (`realistic_log.py`: most requests carry an account,
policy or claim id or a UUID) and times the same parse-normalise-aggregate task on each engine, two
threads, plain and gzip: per method and normalised path (numbers, UUIDs and prefixed ids folded), the
requests, distinct clients, counts by status class, first and last seen. Each run is a fresh process
(its peak RSS is read from `wait4`); engines and GoAccess (when installed: Debian package `goaccess`)
alternate run by run, so that a busy machine slows them alike. Also prints each engine's import time.
Results are checked equal across engines. Figures and the choice: `benchmarks/ENGINES.md`.

    python benchmarks/bench_engines.py --lines 1000000 --runs 3
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import measure

__all__ = ["main"]

# One pass of a regex without backtracking constructs (both engines run RE2-like automata): client,
# timestamp without zone, method, path without query, status class digit.
LINE = r'^(\S+) \S+ \S+ \[(\d\d/\w\w\w/\d{4}:\d\d:\d\d:\d\d) [+-]\d{4}\] "([A-Z]+) ([^"?\s]*)[^"]*" (\d)\d\d '
# Folding needs segment boundaries on both sides and the engines have no lookaround: every `/` is
# doubled, so that consecutive segments (`/1/2`) each stand between their own slashes.
FOLDS = (
    (r"/[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/", "/{uuid}/"),
    (r"/[0-9]{1,12}/", "/{id}/"),
    (r"/[A-Za-z]{1,12}[-_][0-9][A-Za-z0-9_-]*/", "/{id}/"),
)
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def run_polars(path: Path) -> list[tuple[object, ...]]:
    """Lazy Polars query over the log's lines (streaming engine)."""
    import polars as pl

    lines = pl.scan_csv(path, has_header=False, separator="\x1f", quote_char=None,
                        schema={"line": pl.String}, truncate_ragged_lines=True)
    fields = pl.col("line").str.extract_groups(LINE).struct.rename_fields(
        ["client", "stamp", "method", "path", "status"])
    folded = pl.col("path").str.replace_all("/", "//", literal=True) + pl.lit("/")
    for pattern, placeholder in FOLDS:
        folded = folded.str.replace_all(pattern, placeholder)
    folded = folded.str.replace_all("//", "/", literal=True).str.strip_chars_end("/")
    month = pl.col("stamp").str.slice(3, 3).replace_strict(MONTHS, [f"{i:02d}" for i in range(1, 13)])
    sortable = pl.concat_str([pl.col("stamp").str.slice(7, 4), month, pl.col("stamp").str.slice(0, 2),
                              pl.col("stamp").str.slice(12, 8)])
    query = (
        lines.select(fields.alias("f")).unnest("f").drop_nulls("path")
        .with_columns(template=folded, when=sortable)
        .group_by("method", "template")
        .agg(
            pl.len().alias("requests"),
            pl.col("client").n_unique().alias("clients"),
            *[(pl.col("status") == str(digit)).sum().alias(f"s{digit}xx") for digit in range(1, 6)],
            pl.col("when").min().alias("first"),
            pl.col("when").max().alias("last"),
        )
    )
    return sorted(query.collect(engine="streaming").rows())


def run_duckdb(path: Path) -> list[tuple[object, ...]]:
    """DuckDB SQL over `read_csv` of the log's lines (gzip decompressed as it streams)."""
    import duckdb

    folded = "replace(path, '/', '//') || '/'"
    for pattern, placeholder in FOLDS:
        folded = f"regexp_replace({folded}, '{pattern}', '{placeholder}', 'g')"
    folded = f"rtrim(replace({folded}, '//', '/'), '/')"
    months = "CASE " + " ".join(f"WHEN '{name}' THEN '{i:02d}'" for i, name in enumerate(MONTHS, 1)) + " END"
    month = f"CASE substr(stamp, 4, 3) {months.removeprefix('CASE ')}"
    counts = ", ".join(f"count(*) FILTER (status = '{d}') AS s{d}xx" for d in range(1, 6))
    sql = f"""
        WITH parsed AS (
            SELECT unnest(regexp_extract(line, '{LINE.replace("'", "''")}',
                          ['client', 'stamp', 'method', 'path', 'status']))
            FROM read_csv('{path}', columns = {{'line': 'VARCHAR'}}, delim = '\x1f', quote = '',
                          escape = '', header = false, auto_detect = false, ignore_errors = true)
        ), reduced AS (
            SELECT method, {folded} AS template, client, status,
                   substr(stamp, 8, 4) || {month} || substr(stamp, 1, 2) || substr(stamp, 13, 8) AS when_
            FROM parsed WHERE path <> ''
        )
        SELECT method, template, count(*) AS requests, count(DISTINCT client) AS clients, {counts},
               min(when_) AS first, max(when_) AS last
        FROM reduced GROUP BY method, template
    """
    connection = duckdb.connect(config={"threads": 2, "memory_limit": "1GB"})
    return sorted(connection.execute(sql).fetchall())


ENGINES: dict[str, Callable[[Path], list[tuple[object, ...]]]] = {"polars": run_polars, "duckdb": run_duckdb}


def import_seconds(module: str) -> float:
    """Median seconds `import module` adds to a fresh interpreter (five tries)."""
    def once(code: str) -> float:
        return measure([sys.executable, "-c", code])[0]
    return statistics.median(once(f"import {module}") - once("pass") for _ in range(5))


def bench(path: Path, runs: int, has_goaccess: bool) -> dict[str, list[tuple[float, int]]]:
    """Interleaved runs of every engine (and GoAccess) on `path`; checks the engines agree."""
    results: dict[str, list[tuple[float, int]]] = {name: [] for name in ENGINES}
    outputs: dict[str, str] = {}
    if has_goaccess:
        results["goaccess"] = []
    for _ in range(runs):
        for name in ENGINES:
            wall, rss, out = measure([sys.executable, __file__, "--one", name, str(path)])
            results[name].append((wall, rss))
            outputs[name] = out
        if has_goaccess:
            with tempfile.TemporaryDirectory() as folder:
                command = ["goaccess", str(path), "--log-format=COMBINED", "-o", f"{folder}/report.json"]
                wall, rss, _ = measure(command)
            results["goaccess"].append((wall, rss))
    if len(set(outputs.values())) != 1:
        raise RuntimeError("the engines disagree on the aggregate")
    return results


def main(argv: list[str] | None = None) -> int:
    """Generate the logs, run the engines, print one line per engine and format."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--one", nargs=2, metavar=("ENGINE", "LOG"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        rows = ENGINES[args.one[0]](Path(args.one[1]))
        print(json.dumps([[str(value) for value in row] for row in rows]))
        return 0
    from realistic_log import write_realistic_log

    for module in ENGINES:
        print(f"import {module}: {import_seconds(module) * 1000:.0f} ms")
    has_goaccess = shutil.which("goaccess") is not None
    with tempfile.TemporaryDirectory() as folder:
        for name in ("access.log", "access.log.gz"):
            path = write_realistic_log(Path(folder) / name, args.lines, args.seed)
            results = bench(path, args.runs, has_goaccess and not name.endswith(".gz"))
            _print(name, args.lines, results)
    return 0


def _print(name: str, lines: int, results: dict[str, list[tuple[float, int]]]) -> None:
    reference = statistics.median(wall for wall, _ in results["goaccess"]) if "goaccess" in results else None
    for engine, runs in results.items():
        wall = statistics.median(w for w, _ in runs)
        rss = max(r for _, r in runs)
        ratio = f"  {reference / wall:5.1f}x GoAccess" if reference else ""
        print(f"{name:14s} {engine:8s} {wall:6.2f} s {lines / wall:>10,.0f} lines/s  peak {rss:5d} MB{ratio}")


if __name__ == "__main__":
    raise SystemExit(main())
