"""Live pulls against a real HTTP server on 127.0.0.1 (see conftest.py): what is found, how failures
read, and that the Admin API key reaches no output, message or exception."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from riskscan.errors import UsageError
from riskscan.model import AuthKind, GatewayConfig, InputStatus, RouteAspect, SourceKind
from riskscan.sources.live import HttpOptions, LiveKind, Pulled, live_source, pull_sources

from .conftest import FIXTURES, KEY, RecordedServer, closes_connection, huge, recorded_file, send, sequence
from .conftest import serve_apisix, serve_kong, slow, status

MAX_BYTES = 1 << 20


def options(**changes: object) -> HttpOptions:
    """Short timeouts and no backoff, so failing servers cost little test time."""
    settings: dict[str, object] = {
        "environ": {"RISKSCAN_ADMIN_KEY": KEY}, "timeout": 2.0, "backoff": 0.0, "retries": 2
    }
    settings.update(changes)
    return HttpOptions(**settings)  # type: ignore[arg-type]


def pull(kind: LiveKind, url: str, max_bytes: int = MAX_BYTES, **changes: object) -> Pulled:
    [pulled] = pull_sources([live_source(kind, url)], options(**changes), max_bytes)
    assert KEY not in pulled.input_file.model_dump_json()
    if pulled.payload is not None:
        assert KEY not in pulled.payload.model_dump_json()
    return pulled


def shown(url: str, path: str) -> str:
    """How a message names a URL on 127.0.0.1: free text redacts IP addresses, the port stays."""
    return f"http://[REDACTED IP]:{url.rsplit(':', 1)[1]}{path}"


def failure(pulled: Pulled) -> str:
    assert pulled.input_file.status is InputStatus.FAILED and pulled.payload is None
    return pulled.input_file.message or ""


# --------------------------------------------------------------------------- APISIX


def test_apisix_pull_pages_routes_and_joins_every_resource(server: RecordedServer) -> None:
    serve_apisix(server)
    pulled = pull(LiveKind.APISIX_ADMIN, server.url)
    config = pulled.payload
    assert isinstance(config, GatewayConfig) and pulled.input_file.kind is SourceKind.APISIX
    routes = {route.route_id: route for route in config.routes}
    assert set(routes) == {"claims-read", "claims-write", "policies", "quotes-opa", "health", "claims-mtls"}
    assert [(q["page"], q["page_size"]) for q in server.paths_seen("/apisix/admin/routes")] == [
        (["1"], ["500"]), (["2"], ["500"])
    ]
    assert {a.kind for a in routes["claims-write"].auth} == {AuthKind.BEARER, AuthKind.OIDC}
    assert routes["claims-read"].loggers == ("http-logger",)
    assert [a.kind for a in routes["claims-mtls"].auth] == [AuthKind.BEARER, AuthKind.MTLS]
    assert config.consumer_count == 2
    assert [p.name for p in config.global_plugins] == ["prometheus", "request-id"]
    # evidence names the URL (the IP literal redacted like any address in a path), the entry in the whole list
    health = routes["health"]
    assert health.evidence.path == "http://{redacted}/apisix/admin/routes"
    assert (health.evidence.pointer, health.evidence.line) == ("/list/4/value", None)
    sent = {headers.get("X-API-KEY") for _, _, headers in server.seen}
    assert sent == {KEY}


def test_a_resource_the_server_lacks_is_not_known(server: RecordedServer) -> None:
    serve_apisix(server)  # no /consumer_groups: an APISIX older than 3.1 answers 404
    config = pull(LiveKind.APISIX_ADMIN, server.url + "/apisix/admin/").payload
    assert isinstance(config, GatewayConfig)
    assert "/consumer_groups: the server has none (HTTP 404), so it is not known" in config.warnings
    policies = {route.route_id: route for route in config.routes}["policies"]
    # acme's limit would come from its group, which is unknown: the route's limit is not shown
    assert policies.rate_limits == () and RouteAspect.RATE_LIMIT in policies.not_shown


def test_apisix_v2_server_answers_whole_lists(server: RecordedServer) -> None:
    v2 = FIXTURES / "apisix-admin" / "v2-estate"
    for resource in ("routes", "services", "upstreams", "plugin_configs", "global_rules", "consumers",
                     "consumer_groups", "ssls"):
        server.behaviours[f"/apisix/admin/{resource}"] = recorded_file(v2 / f"{resource}.json")
    config = pull(LiveKind.APISIX_ADMIN, server.url).payload
    assert isinstance(config, GatewayConfig)
    assert [route.route_id for route in config.routes] == ["1", "2"]
    assert len(server.paths_seen("/apisix/admin/routes")) == 1  # no second page asked for


# --------------------------------------------------------------------------- Kong and specs


def test_kong_pull_follows_offset_and_sends_its_token(server: RecordedServer) -> None:
    serve_kong(server)
    pulled = pull(LiveKind.KONG_ADMIN, server.url)
    config = pulled.payload
    assert isinstance(config, GatewayConfig) and config.gateway == "kong"
    assert [route.route_id for route in config.routes] == ["claims-read", "quotes"]
    assert [q.get("offset") for q in server.paths_seen("/routes")] == [None, ["ZmlsZXM6cGFnZTI"]]
    assert config.consumer_count == 2
    assert {headers.get("Kong-Admin-Token") for _, _, headers in server.seen} == {KEY}
    assert config.routes[0].evidence.path == "http://{redacted}/routes"


def test_spec_url_reads_yaml_and_never_fetches_relative_refs(server: RecordedServer) -> None:
    spec_file = FIXTURES / "live" / "spec" / "claims-openapi.yaml"
    server.behaviours["/specs/claims.yaml"] = lambda handler, _: send(
        handler, 200, spec_file.read_bytes(), "application/yaml"
    )
    pulled = pull(LiveKind.SPEC_URL, server.url + "/specs/claims.yaml?X-Amz-Signature=PLANTED-SIGNED-QUERY")
    spec = pulled.payload
    assert spec is not None and pulled.input_file.kind is SourceKind.OPENAPI
    assert {(op.method, op.path) for op in spec.operations} == {
        ("GET", "/v2/claims"), ("POST", "/v2/claims"), ("GET", "/v2/claims/{claimId}")
    }
    assert spec.path == "http://{redacted}/specs/claims.yaml"  # the query is never shown
    assert "PLANTED-SIGNED-QUERY" not in pulled.input_file.model_dump_json() + spec.model_dump_json()
    assert not any(headers.get("X-API-KEY") for _, _, headers in server.seen)  # a spec gets no admin key
    assert [path for path, _, _ in server.seen] == ["/specs/claims.yaml"]  # ./schemas/claim.yaml not fetched


def test_spec_url_that_is_no_spec(server: RecordedServer) -> None:
    server.behaviours["/spec.json"] = status(200, b'{"hello": "world"}')
    assert failure(pull(LiveKind.SPEC_URL, server.url + "/spec.json")) == (
        f"{shown(server.url, '/spec.json')}: did not answer an OpenAPI or Swagger document"
    )


# --------------------------------------------------------------------------- failures, one line each


def test_a_refused_key_names_its_variable_never_its_value(server: RecordedServer) -> None:
    serve_apisix(server)
    wrong = {"RISKSCAN_ADMIN_KEY": "PLANTED-WRONG-KEY"}
    message = failure(pull(LiveKind.APISIX_ADMIN, server.url, environ=wrong))
    where = shown(server.url, "/apisix/admin/routes")
    assert message == f"{where}: refused the key from $RISKSCAN_ADMIN_KEY (HTTP 401)"
    assert "PLANTED-WRONG-KEY" not in message


def test_no_key_set_says_which_variable_to_set(server: RecordedServer) -> None:
    serve_apisix(server)
    message = failure(pull(LiveKind.APISIX_ADMIN, server.url, environ={}, key_env="APISIX_KEY"))
    assert message.endswith("asks for a key (HTTP 401); set the environment variable APISIX_KEY")


def test_a_server_closing_the_connection_is_retried_then_reported(server: RecordedServer) -> None:
    server.behaviours["/routes"] = closes_connection()
    message = failure(pull(LiveKind.KONG_ADMIN, server.url))
    assert message == (f"{shown(server.url, '/routes')}: the server closed the connection without an answer"
                       " (after 3 attempts)")
    assert len(server.paths_seen("/routes")) == 3


def test_5xx_and_429_are_retried_with_backoff(server: RecordedServer) -> None:
    serve_kong(server)
    waits: list[float] = []
    server.behaviours["/services"] = sequence(status(503), status(429), recorded_file(
        FIXTURES / "kong" / "admin-export" / "services.json"))
    pulled = pull(LiveKind.KONG_ADMIN, server.url, backoff=0.25, sleep=waits.append)
    assert pulled.input_file.status is InputStatus.USED
    assert waits == [0.25, 0.5]  # doubled after each failed attempt


def test_a_persistent_5xx_is_one_line(server: RecordedServer) -> None:
    server.behaviours["/routes"] = status(502, b"<html>bad gateway</html>")
    message = failure(pull(LiveKind.KONG_ADMIN, server.url))
    assert message == f"{shown(server.url, '/routes')}: answered HTTP 502"


def test_a_slow_server_times_out(server: RecordedServer) -> None:
    server.behaviours["/apisix/admin/routes"] = slow(3.0)
    message = failure(pull(LiveKind.APISIX_ADMIN, server.url, timeout=0.3))
    assert message == f"{shown(server.url, '/apisix/admin/routes')}: no answer within 0.3 s (timeout)"


@pytest.mark.parametrize("declare_length", [True, False])
def test_a_huge_answer_is_refused_at_the_cap(server: RecordedServer, declare_length: bool) -> None:
    server.behaviours["/apisix/admin/routes"] = huge(4 << 20, declare_length)
    message = failure(pull(LiveKind.APISIX_ADMIN, server.url, max_bytes=256 * 1024))
    assert message == (f"{shown(server.url, '/apisix/admin/routes')}: answered more than 262144 bytes,"
                       " the --max-file-mb limit; not read")


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"<html><body>Sign in to the corporate proxy</body></html>",
         "answered something that is not JSON (an HTML page, a proxy's error?)"),
        (b'{"total": 1, "list": [', "answered JSON that cannot be read: malformed JSON"),
        (b'{"data": [], "next": null}', "did not answer an APISIX Admin API list of /routes"),
    ],
)
def test_answers_that_are_not_the_expected_json(server: RecordedServer, body: bytes, problem: str) -> None:
    server.behaviours["/apisix/admin/routes"] = status(200, body)
    message = failure(pull(LiveKind.APISIX_ADMIN, server.url))
    assert message.startswith(f"{shown(server.url, '/apisix/admin/routes')}: {problem}")


def test_an_unreachable_server(server: RecordedServer) -> None:
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    message = failure(pull(LiveKind.KONG_ADMIN, url))
    assert message == f"{shown(url, '/routes')}: unreachable (ConnectError, after 3 attempts)"


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://admin:PLANTED-URL-PASSWORD@gw.example:9180", "credentials in a URL are refused"),
        ("http://gw.example:9180/apisix/admin?api_key=PLANTED-QUERY-KEY", "without a query string"),
        ("ftp://gw.example/", "give an http:// or https:// URL with a host"),
    ],
)
def test_urls_riskscan_will_not_pull_from(url: str, problem: str) -> None:
    with pytest.raises(UsageError) as caught:
        live_source(LiveKind.APISIX_ADMIN, url)
    assert problem in str(caught.value)
    assert "PLANTED" not in str(caught.value)


def test_a_ca_bundle_missing_or_not_pem_is_a_usage_error(tmp_path: Path, server: RecordedServer) -> None:
    with pytest.raises(UsageError, match="--ca-bundle missing-ca.pem: no such file"):
        options(ca_bundle=tmp_path / "missing-ca.pem")
    (tmp_path / "garbage.pem").write_text("not a certificate")
    with pytest.raises(UsageError, match="not a readable PEM bundle"):
        pull(LiveKind.KONG_ADMIN, server.url, ca_bundle=tmp_path / "garbage.pem")


@pytest.mark.parametrize(
    "name", ["edd1c9f034335f136f87ad84b625c8f1", "Xk9Qz2LmP4vR7tY1wB6nC3dF", "MY-KEY", "$KEY", ""]
)
def test_admin_key_env_takes_a_name_never_a_key(name: str) -> None:
    with pytest.raises(UsageError) as caught:
        options(key_env=name)
    assert str(caught.value).endswith(
        "what was given is not one (or reads like a key itself), and is not repeated"
    )
    assert not name or name not in str(caught.value)


def test_server_saw_only_what_was_asked(server: RecordedServer) -> None:
    serve_kong(server)
    pull(LiveKind.KONG_ADMIN, server.url)
    assert sorted({path for path, _, _ in server.seen}) == ["/consumers", "/plugins", "/routes", "/services"]
    assert json.dumps(server.paths_seen("/plugins")) == '[{"size": ["1000"]}]'


def test_a_key_the_server_echoes_back_is_gone_before_reading(server: RecordedServer) -> None:
    serve_kong(server)
    routes = json.loads((FIXTURES / "live" / "kong" / "routes.page2.json").read_text())
    routes["data"][0]["name"] = f"quotes-{KEY}"  # a route named (by mistake) with the key itself
    server.behaviours["/routes"] = status(200, json.dumps(routes).encode())
    config = pull(LiveKind.KONG_ADMIN, server.url).payload  # `pull` asserts the key is in no output
    assert isinstance(config, GatewayConfig) and len(config.routes) == 1


def test_a_redirect_is_not_followed(server: RecordedServer) -> None:
    def redirect(handler: object, _: object) -> None:
        handler.send_response(301)  # type: ignore[attr-defined]
        handler.send_header("Location", "http://elsewhere.example/routes")  # type: ignore[attr-defined]
        handler.send_header("Content-Length", "0")  # type: ignore[attr-defined]
        handler.end_headers()  # type: ignore[attr-defined]

    server.behaviours["/routes"] = redirect
    message = failure(pull(LiveKind.KONG_ADMIN, server.url))
    assert message.endswith(
        "answered a redirect (HTTP 301), not followed so that the key stays with this server;"
        " give the address it redirects to"
    )
    assert [path for path, _, _ in server.seen] == ["/routes"]


def test_retry_after_sets_the_pace(server: RecordedServer) -> None:
    def busy(handler: object, _: object) -> None:
        handler.send_response(429)  # type: ignore[attr-defined]
        handler.send_header("Retry-After", "7")  # type: ignore[attr-defined]
        handler.send_header("Content-Length", "0")  # type: ignore[attr-defined]
        handler.end_headers()  # type: ignore[attr-defined]

    waits: list[float] = []
    server.behaviours["/routes"] = busy
    message = failure(pull(LiveKind.KONG_ADMIN, server.url, backoff=0.5, sleep=waits.append))
    assert waits == [7.0, 7.0] and message.endswith("answered HTTP 429")


def test_the_gateway_port_instead_of_the_admin_port(server: RecordedServer) -> None:
    # nothing serves /apisix/admin/routes: the data plane answers 404 to every unknown path
    message = failure(pull(LiveKind.APISIX_ADMIN, server.url))
    assert message.endswith("answered HTTP 404; is this the APISIX Admin API (port 9180 by default),"
                            " not the gateway's own port?")
