"""Benchmark: matching concrete request paths against 2,000 spec templates with the segment trie.

Seeded synthetic data: 2,000 templates across 100 resource families (literal, `{param}` and
partial-segment `{name}.json` templates, versions v1-v3), and 200,000 distinct concrete paths, most of
them matching, some not. Prints the median over several runs and the throughput in paths/s,
measured in process CPU time so that other work on the machine does not distort the figure.

    python benchmarks/bench_matching.py [--templates 2000] [--paths 200000] [--runs 5]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from riskscan.inventory.templates import TemplateMatcher

__all__ = ["main", "make_paths", "make_templates"]

_WORDS = [
    "claims",
    "policies",
    "quotes",
    "brokers",
    "documents",
    "payments",
    "coverage",
    "notes",
    "events",
    "partners",
    "vehicles",
    "homes",
    "drivers",
    "invoices",
    "renewals",
    "endorsements",
    "attachments",
    "contacts",
    "addresses",
    "beneficiaries",
]


def make_templates(count: int, rng: random.Random) -> list[tuple[str, str]]:
    """`count` distinct (method, template) pairs shaped like real insurance APIs."""
    templates: set[tuple[str, str]] = set()
    while len(templates) < count:
        family = f"{rng.choice(_WORDS)}{rng.randrange(100)}"
        version = f"v{rng.randint(1, 3)}"
        shape = rng.randrange(6)
        sub = rng.choice(_WORDS)
        path = {
            0: f"/{version}/{family}",
            1: f"/{version}/{family}/{{{family}Id}}",
            2: f"/{version}/{family}/{{{family}Id}}/{sub}",
            3: f"/{version}/{family}/{{{family}Id}}/{sub}/{{{sub}Id}}",
            4: f"/{version}/{family}/search",
            5: f"/{version}/{family}/{{{family}Id}}/{sub}/{{name}}.json",
        }[shape]
        templates.add((rng.choice(("GET", "GET", "POST", "PUT", "DELETE")), path))
    return sorted(templates)


def make_paths(templates: list[tuple[str, str]], count: int, rng: random.Random) -> list[tuple[str, str]]:
    """`count` distinct concrete (method, path) pairs: filled-in templates plus some misses."""
    paths: set[tuple[str, str]] = set()
    while len(paths) < count:
        method, template = rng.choice(templates)
        filled = []
        for segment in template.strip("/").split("/"):
            if segment == "{name}.json":
                filled.append(f"doc-{rng.randrange(10**6)}.json")
            elif segment.startswith("{"):
                filled.append(str(rng.randrange(10**9)))
            else:
                filled.append(segment)
        if rng.random() < 0.1:
            filled.append("unknown")  # a miss: deeper than the template
        paths.add((method, "/" + "/".join(filled)))
    return sorted(paths)


def _run(matcher: TemplateMatcher[int], paths: list[tuple[str, str]]) -> tuple[float, int]:
    started = time.process_time()
    matched = 0
    match = matcher.match
    for method, path in paths:
        if match(method, path):
            matched += 1
    return time.process_time() - started, matched


def main() -> None:
    """Build the trie, match every path several times, print median time and throughput."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--templates", type=int, default=2000)
    parser.add_argument("--paths", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=20261109)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    templates = make_templates(args.templates, rng)
    paths = make_paths(templates, args.paths, rng)
    started = time.process_time()
    matcher = TemplateMatcher[int]()
    for index, (method, template) in enumerate(templates):
        matcher.add(method, template, index)
    built = time.process_time() - started
    timings = [_run(matcher, paths) for _ in range(args.runs)]
    median = statistics.median(seconds for seconds, _ in timings)
    matched = timings[0][1]
    print(f"templates: {len(templates):,} (trie built in {built * 1000:.1f} ms)")
    print(f"paths: {len(paths):,} distinct, {matched:,} matched, {len(paths) - matched:,} unmatched")
    print(f"median over {args.runs} runs: {median:.3f} s CPU = {len(paths) / median:,.0f} paths/s")


if __name__ == "__main__":
    main()
