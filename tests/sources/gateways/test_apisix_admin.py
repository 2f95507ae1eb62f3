"""APISIX Admin API exports (v3 lists, v2 node lists, single objects): a folder joined as one config."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from riskscan.errors import SourceError
from riskscan.model import AuthKind, GatewayConfig, GatewayRoute, RouteAspect, SourceKind
from riskscan.sources import ReadContext, detect_kind, read_head
from riskscan.sources.gateways.apisix import ApisixReader

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "apisix-admin"
READER = ApisixReader()
PLANTED = [
    "PLANTED-OIDC-CLIENT-SECRET",
    "PLANTED-ADMIN-CONSUMER-KEY",
    "PLANTED-NODE-PASS",
    "PLANTEDSSLPRIVATEKEYMATERIAL",
]


def read(relative: str) -> GatewayConfig:
    return READER.read(FIXTURES / relative, ReadContext(root=FIXTURES))


def routes_of(relative: str) -> dict[str, GatewayRoute]:
    return {route.route_id: route for route in read(relative).routes}


@pytest.fixture(scope="module")
def v3() -> dict[str, GatewayRoute]:
    return routes_of("v3-estate/routes.json")


def test_every_export_is_recognised_by_content() -> None:
    for path in sorted(FIXTURES.glob("*-estate/*.json")):
        assert detect_kind(path, read_head(path)) is SourceKind.APISIX, path.name


def test_v3_routes_resolve_with_services_plugin_configs_global_rules(v3: dict[str, GatewayRoute]) -> None:
    read_route = v3["claims-read"]
    assert read_route.uris == ("/v2/claims", "/v2/claims/*")
    assert read_route.hosts == ("api.harbor.example",)
    assert [a.scheme for a in read_route.auth] == ["jwt-auth"]  # from its service
    limits = [(p.plugin, p.limit, p.window_seconds) for p in read_route.rate_limits]
    # its service's limit, then the loosest of the consumers' (every consumer has one, and with credentials
    # a resource of their own, any consumer may be the jwt-auth caller)
    assert limits == [("limit-count", 100.0, 60.0), ("limit-count", 1000.0, 3600.0)]
    assert read_route.loggers == ("http-logger",)
    assert read_route.monitors == ("prometheus", "request-id")  # global rule
    assert read_route.upstream == "claims.svc.cluster.local:8080"  # service -> upstream_id
    assert read_route.not_shown == ()
    write = v3["claims-write"]
    assert {a.kind for a in write.auth} == {AuthKind.BEARER, AuthKind.OIDC}
    assert write.loggers == ("http-logger", "kafka-logger")  # service + plugin config
    assert ("limit-req", "consumer_name") in {(p.plugin, p.key) for p in write.rate_limits}


def test_evidence_names_the_export_file_entry_and_line(v3: dict[str, GatewayRoute]) -> None:
    route = v3["claims-write"]
    assert (route.evidence.path, route.evidence.pointer) == ("v3-estate/routes.json", "/list/1/value")
    assert route.evidence.line == 29
    by_plugin = {ref.name: ref.evidence for ref in route.plugins}
    assert by_plugin["jwt-auth"].path == "v3-estate/services.json"
    assert by_plugin["jwt-auth"].pointer == "/list/0/value/plugins/jwt-auth"
    assert by_plugin["kafka-logger"].path == "v3-estate/plugin_configs.json"
    assert by_plugin["prometheus"].path == "v3-estate/global_rules.json"
    assert by_plugin["jwt-auth"].line is not None and by_plugin["jwt-auth"].line > 1


def test_limits_on_consumers_and_their_groups_count_for_the_route(v3: dict[str, GatewayRoute]) -> None:
    [limit] = v3["policies"].rate_limits
    assert (limit.plugin, limit.limit, limit.window_seconds) == ("limit-count", 1000.0, 3600.0)  # the loosest
    assert limit.key == "consumer (set on each of 2 consumers)"
    assert limit.evidence.path == "v3-estate/consumers.json"
    assert v3["policies"].upstream == "policies.svc.cluster.local:8080"  # userinfo stripped


def test_ssl_client_ca_from_the_ssls_export_enforces_mtls(v3: dict[str, GatewayRoute]) -> None:
    assert [a.kind for a in v3["claims-mtls"].auth] == [AuthKind.BEARER, AuthKind.MTLS]


def test_opa_without_an_auth_plugin_leaves_auth_not_shown(v3: dict[str, GatewayRoute]) -> None:
    assert v3["quotes-opa"].auth == ()
    assert v3["quotes-opa"].not_shown == (RouteAspect.AUTH,)
    assert v3["policies"].not_shown == ()  # key-auth beside opa: authentication is shown


def test_companion_exports_route_nothing_and_count_consumers_and_global_plugins() -> None:
    routes_config = read("v3-estate/routes.json")
    assert routes_config.consumer_count == 0 and routes_config.global_plugins == ()  # counted once, below
    assert read("v3-estate/consumers.json").consumer_count == 2
    globals_config = read("v3-estate/global_rules.json")
    assert [ref.name for ref in globals_config.global_plugins] == ["prometheus", "request-id"]
    services = read("v3-estate/services.json")
    assert services.routes == ()
    assert services.warnings == (
        "APISIX Admin API /services export, read with the /routes export v3-estate/routes.json",
    )


def test_consumers_credentials_unknown_leave_a_consumer_limit_not_shown(tmp_path: Path) -> None:
    for path in (FIXTURES / "v3-estate").iterdir():
        shutil.copy(path, tmp_path / path.name)
    consumers = json.loads((tmp_path / "consumers.json").read_text())
    initech = {"key": "/apisix/consumers/initech", "value": {"username": "initech"}}  # no plugins, no limit
    consumers["list"].append(initech)
    (tmp_path / "consumers.json").write_text(json.dumps(consumers))
    config = READER.read(tmp_path / "routes.json", ReadContext(root=tmp_path))
    policies = {route.route_id: route for route in config.routes}["policies"]
    # initech may hold a key-auth credential (never read) and has no limit: the route's limit is not shown
    assert policies.rate_limits == () and policies.not_shown == (RouteAspect.RATE_LIMIT,)
    assert any("/credentials (" in warning for warning in config.warnings)


def test_a_routes_export_alone_marks_what_missing_exports_decide_not_shown() -> None:
    config = read("routes-only/routes.json")
    routes = {route.route_id: route for route in config.routes}
    [warning] = config.warnings
    assert warning.startswith("no Admin API export of /consumers (1 route(s)), /global_rules (4 route(s)),")
    assert "/plugin_configs (1 route(s)), /services (2 route(s)), /ssls (1 route(s))" in warning
    # service_id names an unexported service: not "not enabled", and nothing it decides is "none"
    claims = routes["claims-read"]
    assert claims.is_enabled
    assert set(claims.not_shown) == {RouteAspect.AUTH, RouteAspect.RATE_LIMIT, RouteAspect.LOGGING}
    # what the route shows itself stays shown: its own openid-connect
    assert [a.kind for a in routes["claims-write"].auth] == [AuthKind.OIDC]
    assert RouteAspect.AUTH not in routes["claims-write"].not_shown
    assert RouteAspect.RATE_LIMIT in routes["policies"].not_shown  # consumers' limits unknown


def test_v2_exports_with_escaped_slashes_and_empty_lists() -> None:
    config = read("v2-estate/routes.json")
    routes = {route.route_id: route for route in config.routes}
    assert config.warnings == ()  # every resource exported, even the empty ones (`nodes: {}`)
    assert routes["1"].uris == ("/v1/members/*",)
    assert [a.kind for a in routes["1"].auth] == [AuthKind.BASIC]
    assert routes["1"].loggers == ("syslog",)
    assert routes["1"].evidence.pointer == "/node/nodes/0/value"
    assert routes["2"].auth == () and routes["2"].not_shown == ()  # known to be open


def test_a_single_object_response_is_one_route() -> None:
    [route] = read("single/route-7.json").routes
    assert (route.route_id, route.uris, route.methods) == ("7", ("/v3/payments",), ("POST",))
    assert [a.scheme for a in route.auth] == ["hmac-auth"]
    assert route.evidence.pointer == "/value"


def test_one_page_of_a_longer_list_says_so() -> None:
    config = read("paged/routes.json")
    assert config.warnings[0] == (
        "one page of an Admin API list of 12 (`total`), 1 of them in this folder: the others are not in it"
    )


def test_every_page_side_by_side_reads_as_the_whole_list(tmp_path: Path) -> None:
    pages = json.loads((FIXTURES / "v3-estate" / "routes.json").read_text())
    for number, start in ((1, 0), (2, 4)):
        page = {"total": len(pages["list"]), "list": pages["list"][start:start + 4]}
        (tmp_path / f"routes.{number}.json").write_text(json.dumps(page, indent=2))
    for path in (FIXTURES / "v3-estate").iterdir():
        if path.name != "routes.json":
            shutil.copy(path, tmp_path / path.name)
    first = READER.read(tmp_path / "routes.1.json", ReadContext(root=tmp_path))
    second = READER.read(tmp_path / "routes.2.json", ReadContext(root=tmp_path))
    assert first.warnings == () and second.warnings == ()
    assert len(first.routes) + len(second.routes) == 6
    assert {r.route_id for r in second.routes} == {"health", "claims-mtls"}
    assert second.routes[0].evidence.path == "routes.2.json"


def test_bad_entries_cost_only_themselves() -> None:
    config = read("broken/mixed-entries.json")
    assert [route.route_id for route in config.routes] == ["ok"]
    assert "1 entry of another resource than /routes: skipped" in config.warnings
    assert "2 entries without a `key` and `value`: skipped" in config.warnings


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("broken/list-not-a-list.json", "broken/list-not-a-list.json:3: `list` is not a list"),
        ("broken/truncated.json", "broken/truncated.json:33: malformed JSON"),
    ],
)
def test_broken_exports_fail_with_one_clear_line(name: str, message: str) -> None:
    with pytest.raises(SourceError) as caught:
        read(name)
    assert str(caught.value).startswith(message)


def test_sniff_refuses_look_alikes(tmp_path: Path) -> None:
    look_alikes = {
        "list.json": '{"total": 2, "list": [{"id": 1}, {"id": 2}]}',  # some other API's paging
        "kv.json": '{"key": "feature-flag", "value": {"on": true}}',
        "node.json": '{"node": {"nodes": []}, "count": 0, "action": "get"}',  # no resource name
    }
    for name, text in look_alikes.items():
        path = tmp_path / name
        path.write_text(text)
        assert not READER.sniff(path, path.read_bytes()), name
    empty = tmp_path / "ssls.json"
    empty.write_text('{"total": 0, "list": {}}')
    assert READER.sniff(empty, empty.read_bytes())  # an empty list, named after its resource


def test_an_empty_export_named_for_its_resource_counts_as_exported(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "routes-only" / "routes.json", tmp_path / "routes.json")
    for kind in ("services", "plugin_configs", "global_rules", "consumers", "ssls"):
        (tmp_path / f"{kind}.json").write_text('{"total": 0, "list": []}')
    config = READER.read(tmp_path / "routes.json", ReadContext(root=tmp_path))
    routes = {route.route_id: route for route in config.routes}
    assert routes["claims-read"].is_enabled is False  # its service is known not to exist now
    assert routes["health"].not_shown == () and routes["health"].auth == ()  # known to be open


def test_no_planted_secret_reaches_any_config() -> None:
    produced = [
        read(str(path.relative_to(FIXTURES))).model_dump_json() for path in FIXTURES.glob("*-estate/*.json")
    ]
    text = json.dumps(produced)
    for secret in PLANTED:
        assert secret not in text


def test_a_v2_single_object_response(tmp_path: Path) -> None:
    path = tmp_path / "route.json"
    path.write_text('{"action":"get","node":{"key":"\\/apisix\\/routes\\/9","value":{"uri":"\\/v1\\/ping",'
                    '"plugins":{"key-auth":{}}},"createdIndex":7,"modifiedIndex":7}}')
    assert READER.sniff(path, path.read_bytes())
    [route] = READER.read(path, ReadContext(root=tmp_path)).routes
    assert (route.route_id, route.uris, route.evidence.pointer) == ("9", ("/v1/ping",), "/node/value")
    assert [a.scheme for a in route.auth] == ["key-auth"]
