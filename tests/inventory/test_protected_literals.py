"""Literal id-like segments a spec or a route names are kept as written in traffic, so that requests
for `/v1/reports/2024` reach the documented endpoint instead of a shadow `/v1/reports/{id}`."""

from __future__ import annotations

from pathlib import Path

from riskscan.discovery import read_inputs
from riskscan.inventory import build_inventory
from riskscan.inventory.literals import protected_literals
from riskscan.model import ApiSpec, Lifecycle
from riskscan.sources import ReadContext, make_client_hasher

SPEC = """openapi: 3.0.3
info: {title: Reports, version: "1"}
servers: [{url: https://api.example.com/v1}]
paths:
  /reports/2024:
    get: {responses: {"200": {description: ok}}}
  /reports/{year}:
    get:
      parameters: [{name: year, in: path, required: true, schema: {type: integer}}]
      responses: {"200": {description: ok}}
  /tenants/1042/users/{userId}:
    get:
      parameters: [{name: userId, in: path, required: true, schema: {type: string}}]
      responses: {"200": {description: ok}}
"""
LINE = '192.0.2.{n} - - [09/Nov/2026:08:00:{n:02d} +0000] "GET {path} HTTP/1.1" 200 12 "-" "sdk/1"\n'


def test_only_literals_that_folding_would_change_are_protected(tmp_path: Path) -> None:
    spec_file = tmp_path / "reports.yaml"
    spec_file.write_text(SPEC)
    inputs = read_inputs([spec_file], ReadContext(root=tmp_path))
    assert protected_literals(inputs.specs, ()) == {"/v1/reports/2024", "/v1/tenants/1042/users"}


def test_traffic_for_a_documented_literal_reaches_it(tmp_path: Path) -> None:
    (tmp_path / "reports.yaml").write_text(SPEC)
    paths = ["/v1/reports/2024"] * 3 + ["/v1/reports/2023", "/v1/tenants/1042/users/u-77"]
    (tmp_path / "access.log").write_text("".join(LINE.format(n=n, path=path) for n, path in enumerate(paths)))
    files = sorted(tmp_path.iterdir())  # the log comes first: reading order must not matter
    inputs = read_inputs(files, ReadContext(root=tmp_path, client_id=make_client_hasher(b"t")))
    assert isinstance(inputs.specs[0], ApiSpec)
    inventory = build_inventory(inputs.specs, inputs.gateways, inputs.traffic)
    found = {endpoint.key: endpoint for endpoint in inventory.endpoints}
    literal = found["GET /v1/reports/2024"]
    assert literal.lifecycle is Lifecycle.DOCUMENTED and literal.traffic is not None
    assert literal.traffic.requests == 3
    assert found["GET /v1/reports/{year}"].traffic.requests == 1  # type: ignore[union-attr]
    assert found["GET /v1/tenants/1042/users/{userId}"].traffic.requests == 1  # type: ignore[union-attr]
    assert not [key for key, endpoint in found.items() if endpoint.lifecycle is Lifecycle.SHADOW]
