"""Gateway API GRPCRoutes: each match read as the `POST /package.Service/Method` gRPC sends."""

from __future__ import annotations

from pathlib import Path

from riskscan.sources import ReadContext
from riskscan.sources.gateways.kubernetes import KubernetesReader

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "kubernetes" / "grpc"


def test_grpc_methods_become_post_routes_on_the_listener_hosts() -> None:
    config = KubernetesReader().read(FIXTURES / "claims-grpc.yaml", ReadContext(root=FIXTURES))
    routes = {route.route_id: route for route in config.routes}
    exact = routes["claims/claims-grpc rule 0 match 0"]
    assert (exact.methods, exact.uris, exact.hosts) == (("POST",), ("/claims.v1.Claims/GetClaim",),
                                                        ("grpc.harbor.example",))
    service = routes["claims/claims-grpc rule 0 match 1"]  # every method of the service, for one tenant
    assert service.uris == ("/claims.v1.Claims", "/claims.v1.Claims/*")
    assert [condition for condition in service.conditions if "x-tenant" in condition]
    assert routes["claims/claims-grpc rule 0 match 2"].uris == ("/:p1/Check",)  # Check on any service
    assert routes["claims/claims-grpc rule 1 match 0"].uris == ("/*",)  # a rule without matches: every call
    assert exact.evidence.line is not None and exact.evidence.pointer == "/spec/rules/0/matches/0"


def test_grpc_matches_that_cannot_be_read_are_left_out_with_a_warning() -> None:
    config = KubernetesReader().read(FIXTURES / "claims-grpc.yaml", ReadContext(root=FIXTURES))
    ids = {route.route_id for route in config.routes}
    assert "claims/claims-grpc rule 0 match 3" not in ids  # an alternation is not a plain path pattern
    assert "claims/claims-grpc rule 0 match 4" not in ids  # `Prefix` is no GRPCRoute match type
    text = " ".join(config.warnings)
    assert "rules/0/matches/3: regex path" in text
    assert "rules/0/matches/4: unknown method match type Prefix: route left out" in text
    assert "GRPCRoute objects" not in text  # no longer named as unassessed
