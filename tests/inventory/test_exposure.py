"""EndpointExposure: public, internal or unknown, from what the inputs show, never assuming internal."""

from __future__ import annotations

import pytest

from riskscan.inventory import build_inventory
from riskscan.inventory.exposure import endpoint_exposure, parse_exposure_rules
from riskscan.model import AuthKind, AuthPosture, Evidence, EndpointExposure, PluginRef, TrafficStats
from tests.inventory.conftest import Make

OIDC = AuthPosture(effective=AuthKind.OIDC, enforced_by="gateway:claims")


def traffic(clients: int) -> TrafficStats:
    return TrafficStats(requests=clients * 3, clients=clients, status_classes={"2xx": clients * 3})


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("api.harbor-assurance.example", EndpointExposure.PUBLIC),
        ("API.Harbor-Assurance.example.:443", EndpointExposure.PUBLIC),
        ("203.0.113.7", EndpointExposure.PUBLIC),
        ("claims.svc.cluster.local", EndpointExposure.INTERNAL),
        ("claims.harbor.internal:8080", EndpointExposure.INTERNAL),
        ("printer.local", EndpointExposure.INTERNAL),
        ("10.20.0.5", EndpointExposure.INTERNAL),
        ("[fd00::12]:8443", EndpointExposure.INTERNAL),
        ("localhost:8080", EndpointExposure.UNKNOWN),  # where a developer or a log ran, not who reaches it
        ("127.0.0.1", EndpointExposure.UNKNOWN),
        (None, EndpointExposure.UNKNOWN),
    ],
)
def test_the_host_shows_exposure_unless_it_says_nothing(host: str | None, expected: EndpointExposure) -> None:
    exposure, reason = endpoint_exposure(host, (), OIDC, None)
    assert exposure is expected
    assert reason


def test_a_network_restriction_makes_a_public_host_internal() -> None:
    exposure, reason = endpoint_exposure("api.harbor-assurance.example", ("ip-restriction", "prometheus"), OIDC,
                                         traffic(500))
    assert (exposure, reason) == (EndpointExposure.INTERNAL,
                                  "restricted to known networks by ip-restriction on every route serving it")


def test_an_aws_private_endpoint_is_internal() -> None:
    assert endpoint_exposure(None, ("private-endpoint",), OIDC, None)[0] is EndpointExposure.INTERNAL


def test_mutual_tls_alone_is_internal_but_oidc_with_mtls_is_not() -> None:
    mtls = AuthPosture(effective=AuthKind.MTLS, enforced_by="gateway:partners")
    assert endpoint_exposure(None, (), mtls, None)[0] is EndpointExposure.INTERNAL
    assert endpoint_exposure(None, (), OIDC.model_copy(update={"is_sender_constrained": True}), None)[0] \
        is EndpointExposure.UNKNOWN


def test_many_distinct_clients_make_an_internal_name_public() -> None:
    assert endpoint_exposure("claims.svc.cluster.local", (), OIDC, traffic(99))[0] is EndpointExposure.INTERNAL
    exposure, reason = endpoint_exposure("claims.svc.cluster.local", (), OIDC, traffic(1_200))
    assert (exposure, reason) == (EndpointExposure.PUBLIC, "called by 1,200 distinct clients")


def test_unknown_auth_is_not_read_as_mutual_tls() -> None:
    unknown = AuthPosture(effective=AuthKind.MTLS, is_known=False)
    assert endpoint_exposure(None, (), unknown, None)[0] is EndpointExposure.UNKNOWN


def test_the_inventory_gives_every_endpoint_its_exposure(make: type[Make]) -> None:
    restricted = make.route("admin", "/admin/*", hosts=("api.harbor-assurance.example",))
    restricted = restricted.model_copy(update={"plugins": (
        PluginRef(name="ip-restriction", attached_to="route", evidence=Evidence(path="gateway/apisix.yaml", line=4)),
    )})
    spec = make.spec("specs/claims-api.yaml", "Claims", "2", make.op("GET", "/v2/claims/{claimId}"),
                     make.op("GET", "/v2/notes", host="notes.harbor.internal"))
    inventory = build_inventory([spec], [make.gateway(restricted)], [])
    exposures = {e.key: (e.exposure, e.exposure_reason) for e in inventory.endpoints}
    assert exposures["GET /v2/claims/{claimId}"][0] is EndpointExposure.PUBLIC
    assert exposures["GET /v2/notes"] == (EndpointExposure.INTERNAL, "served on the internal host notes.harbor.internal")
    assert exposures["* /admin/*"][0] is EndpointExposure.INTERNAL


def test_malformed_rules_are_one_line_naming_the_file() -> None:
    with pytest.raises(ValueError, match=r"^exposure.yaml: missing or malformed 'public_clients'$"):
        parse_exposure_rules("restriction_plugins: []\ninternal_suffixes: []\nuninformative_hosts: []\n")
    with pytest.raises(ValueError, match=r"^exposure.yaml: a mapping is required$"):
        parse_exposure_rules("- a list")


def test_a_single_label_name_says_nothing() -> None:
    assert endpoint_exposure("claims", (), OIDC, None)[0] is EndpointExposure.UNKNOWN
