"""Envoy's default text access log as Istio extends it: the fields Istio inserts and appends, the client
Envoy judged (`%DOWNSTREAM_REMOTE_ADDRESS%`) before X-Forwarded-For, and without either an unknown client
whose requests count for their endpoint but never as one client (no walk, no burst, no distinct client)."""

from __future__ import annotations

from pathlib import Path

from riskscan.model import PathTraffic, SourceKind, TrafficSample
from riskscan.sources import READERS, ReadContext, detect_kind, make_client_hasher, read_head

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
ISTIO = FIXTURES / "envoy_log" / "istio-proxy.log"
HOST = "claims.insurer.svc.cluster.local"
LINE = ('[2026-11-09T08:00:00.310Z] "GET /v1/claims/1 HTTP/1.1" 200 - via_upstream - "-" 0 512 14 12 "{xff}" '
        '"curl/8.4.0" "cc21d9b0" "{host}" "10.44.1.27:8080" inbound|8080|| 127.0.0.6:45123 10.44.1.27:8080 '
        '{downstream} - default')


def read(path: Path) -> TrafficSample:
    kind = detect_kind(path, read_head(path))
    assert kind is SourceKind.ENVOY_LOG
    sample = READERS[kind].read(path, ReadContext(root=path.parent, client_id=make_client_hasher(b"istio-test")))
    assert isinstance(sample, TrafficSample)
    return sample


def by_key(sample: TrafficSample) -> dict[str, PathTraffic]:
    return {f"{item.method} {item.host or ''}{item.path}": item for item in sample.paths}


def test_istio_s_proxy_log_reads_with_the_downstream_address_as_the_client() -> None:
    sample = read(ISTIO)
    # 133 lines: 129 requests, an upstream reset (code 0: no response), an impossible date, a cut line,
    # and istio-agent's own line.
    assert (sample.format, sample.total_lines, sample.parsed_lines, sample.rejected_lines) == (
        "istio_text", 133, 129, 4)
    assert "(3 do not parse, 1 have no HTTP request line) at lines 130, 131, 132, 133" in sample.warnings[0]
    paths = by_key(sample)
    assert set(paths) == {f"{method} {HOST}{path}" for method, path in (
        ("GET", "/healthz/ready"), ("POST", "/v1/auth/token"), ("POST", "/v1/claims"), ("GET", "/v1/claims/{id}"),
        ("GET", "/v1/claims/{id}/documents"))}  # the authority's port dropped
    assert paths[f"GET {HOST}/v1/claims/{{id}}/documents"].query_keys == {"token": 20}
    walker = max(paths[f"GET {HOST}/v1/claims/{{id}}"].clients, key=lambda client: client.objects)
    assert (walker.requests, walker.objects, walker.lowest_id, walker.highest_id) == (40, 40, 9001, 9040)
    [stuffer] = paths[f"POST {HOST}/v1/auth/token"].clients
    assert (stuffer.failed_auth, stuffer.peak_failed_auth_per_minute) == (6, 6)
    # the walker, eight pods, the ingress gateway and an X-Forwarded-For address; the line naming no
    # client is counted for its endpoint, as no client
    assert sample.distinct_clients == 11
    assert paths[f"GET {HOST}/v1/claims/{{id}}"].requests == 62
    text = repr(sample) + repr(sample.model_dump())
    for planted in ("PLANTED", "10.44.", "203.0.113.50", "198.51.100.7", "192.0.2.10", "kube-probe"):
        assert planted not in text


def test_the_client_is_the_downstream_address_else_x_forwarded_for_s_last_else_unknown(tmp_path: Path) -> None:
    path = tmp_path / "istio.log"
    path.write_text("\n".join([
        LINE.format(xff="198.51.100.1", host="a", downstream="10.0.0.1:1111"),
        LINE.format(xff="198.51.100.2", host="a", downstream="10.0.0.1:2222"),  # the same downstream client
        LINE.format(xff="203.0.113.9, 198.51.100.3", host="b", downstream="-"),
        LINE.format(xff="203.0.113.8, 198.51.100.3", host="b", downstream="-"),  # a forged first address
        LINE.format(xff="-", host="c", downstream="-"),
    ]) + "\n")
    sample = read(path)
    paths = {item.host: item for item in sample.paths}
    assert [len(paths[host].client_ids) for host in "abc"] == [1, 1, 0]
    assert paths["c"].requests == 1 and [client.is_known for client in paths["c"].clients] == [False]
    assert sample.distinct_clients == 2  # an unknown client is not one client


def test_many_requests_without_a_client_are_no_walk_and_no_stuffing_burst(tmp_path: Path) -> None:
    from riskscan.inventory.merge import TrafficTally

    path = tmp_path / "envoy.log"
    lines = [LINE.format(xff="-", host="a", downstream="-").replace("/v1/claims/1 ", f"/v1/claims/{n} ")
             for n in range(1, 31)]
    lines += [LINE.format(xff="-", host="a", downstream="-").replace('"GET /v1/claims/1 HTTP/1.1" 200',
                                                                     '"POST /login HTTP/1.1" 401')] * 10
    path.write_text("\n".join(lines) + "\n")
    sample = read(path)
    assert sample.distinct_clients == 0 and sample.parsed_lines == 40
    for item in sample.paths:
        tally = TrafficTally()
        tally.add(sample, item)
        stats = tally.stats(item.path)
        assert stats.clients == 0 and stats.max_paths_per_client == 0 and stats.peak_failed_auth_per_minute == 0
        assert stats.requests == item.requests and stats.distinct_paths == item.objects
