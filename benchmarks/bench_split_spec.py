"""Benchmark: reading a spec split over thousands of files, as large public APIs publish theirs.

DigitalOcean's public spec is a root document whose every path item and schema is its own file
(about 2,900 of them), cross-referenced by relative `$ref`s. This generates a seeded estate laid out
the same way: per resource, a file per operation (list, create, get, update, delete), a file per
schema, shared parameters and responses, every file named from several places. It then times the
whole `riskscan scan` on it in a child process (discovery, sniffing every file, resolving every
`$ref`, the inventory, controls and the JSON report) and prints the median wall time, files per
second and peak RSS. Run: `python benchmarks/bench_split_spec.py --resources 500`.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from timing import measure  # noqa: E402  (a sibling module of the benchmarks)

__all__ = ["main", "write_split_spec"]

_FIELDS = ("id", "name", "status", "region", "size", "created_at", "owner_email", "tags", "price", "notes")


def write_split_spec(root: Path, resources: int, seed: int) -> int:
    """Write the split spec under `root`; return how many files it has."""
    rng = random.Random(seed)
    shared = root / "shared"
    _dump(shared / "parameters.yml", {
        "per_page": {"name": "per_page", "in": "query", "schema": {"type": "integer", "maximum": 200}},
        "page": {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
    })
    _dump(shared / "responses.yml", {
        "unauthorized": {"description": "Unauthorized", "content": {"application/json": {
            "schema": {"$ref": "models/error.yml"}}}},
    })
    _dump(shared / "models" / "error.yml", {"type": "object", "properties": {
        "id": {"type": "string"}, "message": {"type": "string"}}})
    paths: dict[str, Any] = {}
    for number in range(resources):
        name = f"resource{number}"
        folder = root / "resources" / name
        fields = rng.sample(_FIELDS, 5)
        _dump(folder / "models" / f"{name}.yml", {"type": "object", "properties": {
            field: {"type": "string", "maxLength": 64} for field in fields}})
        _dump(folder / "models" / f"{name}_list.yml", {"type": "object", "properties": {
            "items": {"type": "array", "items": {"$ref": f"{name}.yml"}}}})
        for operation, method in (("list", "get"), ("create", "post"), ("get", "get"), ("update", "put"),
                                  ("delete", "delete")):
            _dump(folder / f"{name}_{operation}.yml", _operation(name, operation, method))
        paths[f"/v2/{name}s"] = {"get": {"$ref": f"resources/{name}/{name}_list.yml"},
                                 "post": {"$ref": f"resources/{name}/{name}_create.yml"}}
        paths[f"/v2/{name}s/{{{name}_id}}"] = {
            method: {"$ref": f"resources/{name}/{name}_{operation}.yml"}
            for operation, method in (("get", "get"), ("update", "put"), ("delete", "delete"))
        }
    _dump(root / "public.v2.yaml", {
        "openapi": "3.0.0", "info": {"title": "Split cloud API", "version": "2.0"},
        "servers": [{"url": "https://api.example-cloud.com"}],
        "security": [{"bearer_auth": []}],
        "components": {"securitySchemes": {"bearer_auth": {"type": "http", "scheme": "bearer"}}},
        "paths": paths,
    })
    return sum(1 for path in root.rglob("*") if path.is_file())


def _operation(name: str, operation: str, method: str) -> dict[str, Any]:
    body = {"content": {"application/json": {"schema": {"$ref": f"models/{name}.yml"}}}}
    single = operation in ("get", "update", "delete")
    node: dict[str, Any] = {
        "operationId": f"{name}_{operation}",
        "summary": f"{operation.title()} a {name}",
        "responses": {
            "200": {"description": "OK", "content": {"application/json": {"schema": {
                "$ref": f"models/{name}{'' if single else '_list'}.yml"}}}},
            "401": {"$ref": "../../shared/responses.yml#/unauthorized"},
        },
    }
    if single:
        node["parameters"] = [{"name": f"{name}_id", "in": "path", "required": True,
                               "schema": {"type": "integer"}}]
    elif method == "get":
        node["parameters"] = [{"$ref": "../../shared/parameters.yml#/per_page"},
                              {"$ref": "../../shared/parameters.yml#/page"}]
    if method in ("post", "put"):
        node["requestBody"] = body
    return node


def _dump(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Generate the split spec, scan it `--runs` times and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=500, help="resources (7 files each)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "spec"
        files = write_split_spec(root, args.resources, args.seed)
        output = Path(folder) / "report.json"
        command = [sys.executable, "-m", "riskscan", "scan", str(root), "--output", str(output),
                   "--no-db"]
        results = [measure(command) for _ in range(args.runs)]
        seconds = statistics.median(wall for wall, _, _ in results)
        peak = max(rss for _, rss, _ in results)
        print(f"split spec: {files} files, {args.resources * 5} operations: {seconds:.2f} s median of "
              f"{args.runs} ({files / seconds:,.0f} files/s), peak RSS {peak} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
