"""build_inventory end to end on Harbor Assurance's specs, APISIX routes and access log."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from riskscan.inventory import build_inventory
from riskscan.model import Endpoint, Inventory, Lifecycle, SightingSource
from riskscan.sources import ReadContext
from riskscan.sources.specs.openapi import OpenApiReader
from riskscan.sources.traffic.access_log import AccessLogReader

HOST = "api.harbor-assurance.example"


def scan(estate: Any) -> Inventory:
    return build_inventory(estate.specs, [estate.gateway], [estate.traffic])


def by_key(inventory: Inventory) -> dict[str, Endpoint]:
    return {endpoint.key: endpoint for endpoint in inventory.endpoints}


def test_the_estate_inventory_reads_like_a_user_expects(estate: Any) -> None:
    inventory = scan(estate)
    assert [endpoint.key for endpoint in inventory.endpoints] == [
        "GET /brokers/{param}",
        "GET /debug/vars",
        "GET /internal/export/{date}",
        "* /ops/*",
        "GET /v1/claims/{id}",
        "GET /v1/claims/{id}/status",
        "DELETE /v1/policies/{policyId}",
        "GET /v1/policies/{policyId}",
        "GET /v1/policies/{policyId}/coverage",
        "GET /v2/claims",
        "POST /v2/claims",
        "GET /v2/claims/search",
        "GET /v2/claims/{claimId}",
        "GET /v2/claims/{claimId}/documents/{name}.pdf",
        "GET /v2/claims/{claimId}/notes",
        "POST /v2/claims/{claimId}:withdraw",
        "GET /v3/orders/{id}",
    ]
    assert (inventory.has_specs, inventory.has_gateway, inventory.has_traffic) == (True, True, True)


def test_scanner_probes_are_counted_not_inventoried(estate: Any) -> None:
    inventory = scan(estate)
    assert inventory.unmatched_404_paths == 2
    assert not any("wp-login" in endpoint.path or ".env" in endpoint.path for endpoint in inventory.endpoints)


def test_a_documented_endpoint_carries_its_spec_facts(estate: Any) -> None:
    claim = by_key(scan(estate))["GET /v2/claims/{claimId}"]
    assert claim.operation_id == "getClaim"
    assert claim.api == "Harbor Claims API 2.1.0"
    assert claim.host == HOST
    assert [parameter.name for parameter in claim.parameters] == ["claimId"]
    assert claim.sources == (SightingSource.SPEC, SightingSource.GATEWAY, SightingSource.TRAFFIC)
    assert claim.route_ids == ("claims-prod", "claims-sandbox")
    assert [evidence.path for evidence in claim.evidence] == [
        "specs/claims-api.yaml",
        "gateway/apisix.yaml",
        "gateway/apisix.yaml",
        "logs/access.log",
    ]


def test_id_walking_shows_in_traffic_stats(estate: Any) -> None:
    traffic = by_key(scan(estate))["GET /v2/claims/{claimId}"].traffic
    assert traffic is not None
    # 25 claims walked by one partner, plus one HEAD request matched to GET
    assert (traffic.requests, traffic.distinct_paths, traffic.max_paths_per_client, traffic.clients) == (
        26,
        26,
        25,
        2,
    )
    assert traffic.status_classes == {"2xx": 26}
    assert traffic.first_seen == datetime(2026, 11, 9, 8, 0, tzinfo=UTC)
    evidence = traffic.evidence[0]
    assert (evidence.path, evidence.count) == ("logs/access.log", 26)
    assert evidence.note == "26 distinct paths"  # the example would only repeat the template
    assert len(evidence.sample_lines) <= 5


def test_traffic_from_several_logs_merges(estate: Any, make: Any) -> None:
    second = make.log(
        make.hit("GET", "/v2/claims/CLM-2026-0001", clients=frozenset({7, 8}), day=12), path="logs/b.log"
    )
    traffic = by_key(build_inventory(estate.specs, [estate.gateway], [estate.traffic, second]))[
        "GET /v2/claims/{claimId}"
    ].traffic
    assert traffic is not None
    assert (traffic.requests, traffic.clients, traffic.distinct_paths, traffic.max_paths_per_client) == (
        27,
        3,
        26,
        26,
    )
    assert traffic.last_seen == datetime(2026, 11, 12, 18, 0, tzinfo=UTC)
    assert [evidence.path for evidence in traffic.evidence] == ["logs/access.log", "logs/b.log"]


def test_thousands_of_order_ids_are_one_shadow_endpoint(make: Any) -> None:
    traffic = make.log(
        *(make.hit("GET", f"/v2/orders/{number}", clients=frozenset({number % 3})) for number in range(9000))
    )
    inventory = build_inventory([], [], [traffic])
    [orders] = inventory.endpoints
    assert (orders.key, orders.lifecycle, orders.sources) == (
        "GET /v2/orders/{id}",
        Lifecycle.SHADOW,
        ("traffic",),
    )
    assert orders.traffic is not None
    assert (orders.traffic.distinct_paths, orders.traffic.max_paths_per_client) == (9000, 3000)


def test_undocumented_paths_under_a_spec_template_reuse_its_names(estate: Any) -> None:
    notes = by_key(scan(estate))["GET /v2/claims/{claimId}/notes"]
    assert notes.lifecycle is Lifecycle.SHADOW
    assert notes.route_ids == ("claims-prod", "claims-sandbox")
    assert notes.lifecycle_reason == (
        "in no spec, yet routed by apisix routes claims-prod, claims-sandbox and called 3 times"
    )


def test_alternate_server_paths_map_to_one_endpoint(estate: Any) -> None:
    policy = by_key(scan(estate))["GET /v1/policies/{policyId}"]
    assert policy.traffic is not None
    assert policy.traffic.distinct_paths == 2  # /v1/policies/... and /partner/v1/policies/...


def test_prefix_routes_are_attributed_their_traffic_or_become_pattern_endpoints(estate: Any) -> None:
    endpoints = by_key(scan(estate))
    export = endpoints["GET /internal/export/{date}"]
    assert (export.route_ids, export.sources) == (("internal-export",), ("gateway", "traffic"))
    assert "* /internal/export/*" not in endpoints
    ops = endpoints["* /ops/*"]
    assert (ops.lifecycle, ops.sources, ops.lifecycle_reason) == (
        Lifecycle.SHADOW,
        ("gateway",),
        "in no spec, yet routed by apisix route ops",
    )


def test_disabled_routes_make_no_endpoint(estate: Any) -> None:
    assert not any(endpoint.path.startswith("/admin") for endpoint in scan(estate).endpoints)


def test_an_exact_route_on_a_templated_path_covers_the_template(make: Any) -> None:
    spec = make.spec("specs/claims-api.yaml", "Claims", "2", make.op("GET", "/v2/claims/{claimId}"))
    route = make.route("one-claim", "/v2/claims/CLM-1", methods=("GET",))
    [claim] = build_inventory([spec], [make.gateway(route)], []).endpoints
    assert (claim.route_ids, claim.lifecycle) == (("one-claim",), Lifecycle.DOCUMENTED)


def test_a_param_route_without_spec_is_one_shadow_that_collects_traffic(make: Any) -> None:
    route = make.route("brokers", "/brokers/:brokerId", methods=("GET",))
    traffic = make.log(make.hit("GET", "/brokers/acme"), make.hit("GET", "/brokers/globex"))
    [brokers] = build_inventory([], [make.gateway(route)], [traffic]).endpoints
    assert brokers.key == "GET /brokers/{brokerId}"
    assert brokers.traffic is not None and brokers.traffic.distinct_paths == 2


def test_the_same_api_does_not_appear_twice_when_one_source_lacks_a_host(make: Any) -> None:
    spec = make.spec(
        "specs/claims-api.yaml", "Claims", "2", make.op("GET", "/v2/claims/{claimId}", host=HOST)
    )
    traffic = make.log(
        make.hit("GET", "/v2/claims/CLM-1"),
        make.hit("GET", "/v2/claims/CLM-2", host="claims.internal:8080"),
        make.hit("GET", "/v3/quotes/Q-100", host="quotes.harbor-assurance.example"),
        make.hit("GET", "/v3/quotes/Q-101"),
    )
    route = make.route("claims", "/v2/claims/*", hosts=("partners.harbor-assurance.example",))
    endpoints = build_inventory([spec], [make.gateway(route)], [traffic]).endpoints
    assert [(endpoint.key, endpoint.host) for endpoint in endpoints] == [
        ("GET /v2/claims/{claimId}", HOST),
        ("GET /v3/quotes/{id}", "quotes.harbor-assurance.example"),
    ]
    assert endpoints[0].route_ids == ("claims",)


def test_hosts_pick_between_templates_documented_for_several_hosts(make: Any) -> None:
    prod = make.spec("specs/prod.yaml", "Claims", "2", make.op("GET", "/v2/claims/{claimId}", host=HOST))
    sandbox_host = "sandbox.harbor-assurance.example"
    sandbox = make.spec(
        "specs/sandbox.yaml", "Claims", "2", make.op("GET", "/v2/claims/{claimId}", host=sandbox_host)
    )
    traffic = make.log(make.hit("GET", "/v2/claims/CLM-1", host=sandbox_host, requests=5))
    endpoints = build_inventory([prod, sandbox], [], [traffic]).endpoints
    assert [(endpoint.host, endpoint.traffic and endpoint.traffic.requests) for endpoint in endpoints] == [
        (HOST, None),
        (sandbox_host, 5),
    ]


def test_specs_alone_give_documented_endpoints(estate: Any) -> None:
    inventory = build_inventory(estate.specs, [], [])
    assert {endpoint.lifecycle for endpoint in inventory.endpoints} == {Lifecycle.DOCUMENTED}
    assert all(
        endpoint.rate_limit.enforced is None and endpoint.is_logged is None
        for endpoint in inventory.endpoints
    )
    assert (inventory.has_gateway, inventory.has_traffic, inventory.unmatched_404_paths) == (False, False, 0)


def test_the_inventory_is_deterministic(estate: Any) -> None:
    assert scan(estate) == scan(estate)


def test_a_catch_all_route_does_not_turn_scanner_probes_into_endpoints(make: Any) -> None:
    catch_all = make.route("backend", "/*")
    traffic = make.log(
        make.hit("GET", "/wp-login.php", requests=3, status={"4xx": 3}, not_found=3),
        make.hit("GET", "/.git/config", requests=1, status={"4xx": 1}, not_found=1),
        make.hit("GET", "/v2/quotes/Q-1", requests=2),
    )
    inventory = build_inventory([], [make.gateway(catch_all)], [traffic])
    assert [endpoint.key for endpoint in inventory.endpoints] == ["GET /v2/quotes/{id}"]
    assert inventory.endpoints[0].route_ids == ("backend",)
    assert inventory.unmatched_404_paths == 2


def test_a_path_answering_only_401_is_an_endpoint_not_a_probe(make: Any) -> None:
    traffic = make.log(
        make.hit("GET", "/admin/export", requests=5, status={"4xx": 5}),  # 401s: something checks
        make.hit("GET", "/wp-login.php", requests=3, status={"4xx": 3}, not_found=3),
    )
    inventory = build_inventory([], [], [traffic])
    assert [endpoint.key for endpoint in inventory.endpoints] == ["GET /admin/export"]
    assert inventory.endpoints[0].lifecycle is Lifecycle.SHADOW
    assert inventory.unmatched_404_paths == 1


def test_cors_preflights_on_documented_paths_are_not_endpoints(make: Any) -> None:
    spec = make.spec("specs/claims-api.yaml", "Claims", "2", make.op("GET", "/v2/claims/{claimId}"))
    traffic = make.log(make.hit("OPTIONS", "/v2/claims/CLM-1"), make.hit("GET", "/v2/claims/CLM-1"))
    assert [endpoint.key for endpoint in build_inventory([spec], [], [traffic]).endpoints] == [
        "GET /v2/claims/{claimId}"
    ]


def test_an_empty_log_cannot_make_orphans(make: Any) -> None:
    spec = make.spec("specs/claims-api.yaml", "Claims", "2", make.op("GET", "/v2/claims/{claimId}"))
    inventory = build_inventory([spec], [], [make.log()])
    assert inventory.has_traffic is False
    assert inventory.endpoints[0].lifecycle is Lifecycle.DOCUMENTED


def test_static_assets_and_head_requests_add_no_endpoints(make: Any) -> None:
    traffic = make.log(
        make.hit("GET", "/portal/app.js"),
        make.hit("GET", "/portal/img/logo.png"),
        make.hit("GET", "/partner-portal/quotes/Q-1"),
        make.hit("HEAD", "/partner-portal/quotes/Q-2"),
        make.hit("OPTIONS", "/partner-portal/quotes/Q-3"),
    )
    [quotes] = build_inventory([], [], [traffic]).endpoints
    assert quotes.key == "GET /partner-portal/quotes/{id}"
    assert quotes.traffic is not None and quotes.traffic.requests == 2


def test_personal_data_left_in_a_path_reaches_no_endpoint_value(make: Any) -> None:
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJicm9rZXIifQ.c2lnbmF0dXJlLXZhbHVl"
    traffic = make.log(
        make.hit("GET", "/v2/brokers/jane.doe@broker.example/licences"),
        make.hit("GET", f"/v2/sessions/{jwt}"),
    )
    dumped = build_inventory([], [], [traffic]).model_dump_json()
    assert "jane.doe" not in dumped and jwt not in dumped
    assert "/v2/brokers/{email}/licences" in dumped


def test_a_hostile_path_with_thousands_of_segments_is_handled(make: Any) -> None:
    spec = make.spec("specs/claims-api.yaml", "Claims", "2", make.op("GET", "/v2/claims/{claimId}"))
    traffic = make.log(make.hit("GET", "/v2/claims" + "/x" * 5000))
    [claims, hostile] = build_inventory([spec], [], [traffic]).endpoints
    assert claims.key == "GET /v2/claims/{claimId}"
    assert hostile.path.startswith("/v2/claims/{claimId}/x/x")


def test_an_example_path_never_shows_a_segment_that_became_a_placeholder(make: Any) -> None:
    # `q8r2m5x7k1` is no shape redaction knows, but the spec says it is the reset token.
    spec = make.spec("specs/auth.yaml", "Auth", "1", make.op("GET", "/password/reset/{token}"))
    log = make.log(*(make.hit("GET", f"/password/reset/q8r2m5x7k{n}") for n in (1, 2)))
    (endpoint,) = build_inventory([spec], [], [log]).endpoints
    assert endpoint.traffic is not None
    assert [evidence.note for evidence in endpoint.traffic.evidence] == ["2 distinct paths"]


def test_traffic_stats_carry_the_walk_and_stuffing_signals() -> None:
    log = Path(__file__).parents[1] / "fixtures" / "access_log" / "enumeration-and-stuffing.log"
    sample = AccessLogReader().read(log, ReadContext(root=log.parent))
    endpoints = by_key(build_inventory([], [], [sample]))
    accounts, login = endpoints["GET /v1/accounts/{id}"].traffic, endpoints["POST /v1/auth/login"].traffic
    assert accounts is not None and login is not None
    walk = (accounts.distinct_paths, accounts.max_paths_per_client, accounts.is_walk_sequential)
    assert walk == (37, 30, True)
    assert (accounts.throttled, accounts.clients) == (1, 8)
    assert (login.unauthorized, login.max_failed_auth_per_client, login.is_walk_sequential) == (11, 11, False)


def test_path_keys_with_a_query_or_fragment_are_served_at_the_path_before_it(tmp_path: Path) -> None:
    """`/rides?page={page}` and `/?Action=SendMessage` were endpoints of their own that no request
    could match (logs drop the query, browsers the fragment): traffic became shadow endpoints."""
    fixtures = Path(__file__).parents[1] / "fixtures" / "openapi"
    spec = OpenApiReader().read(fixtures / "path-keys-with-query-or-fragment.yaml", ReadContext(root=fixtures))
    log = tmp_path / "access.log"
    log.write_text(
        '203.0.113.9 - - [09/Nov/2026:08:00:00 +0000] "GET /v1/rides?page=2&per_page=50 HTTP/1.1" 200 812 "-" "curl/8"\n'
        '203.0.113.9 - - [09/Nov/2026:08:00:01 +0000] "POST /v1/?Action=SendMessage HTTP/1.1" 200 90 "-" "aws-sdk"\n'
    )
    sample = AccessLogReader().read(log, ReadContext(root=tmp_path))
    endpoints = by_key(build_inventory([spec], [], [sample]))
    assert sorted(endpoints) == ["GET /v1/rides", "GET /v1/rides/{rideId}", "POST /v1"]
    assert all(endpoint.lifecycle is not Lifecycle.SHADOW for endpoint in endpoints.values())
    rides, actions = endpoints["GET /v1/rides"], endpoints["POST /v1"]
    assert rides.traffic is not None and actions.traffic is not None
    assert (rides.operation_id, rides.traffic.requests) == ("listRides", 1)
    assert actions.auth.allows_anonymous  # DeleteQueue, one of the three, declares `security: []`
