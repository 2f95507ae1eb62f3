"""Per-endpoint request peaks: the client with the most requests in one clock minute, over every file."""

from __future__ import annotations

from datetime import UTC, datetime

from riskscan.inventory.merge import TrafficTally
from riskscan.model import ClientTraffic, PathTraffic, TrafficSample


def minute(m: int) -> datetime:
    return datetime(2026, 11, 9, 8, m, tzinfo=UTC)


def client(client_id: int, requests: int, peak: int, at: datetime | None) -> ClientTraffic:
    return ClientTraffic(client_id=client_id, requests=requests, object_keys=b"", peak_requests_per_minute=peak,
                         peak_minute=at, first_seen=minute(0), last_seen=minute(9))


def sample(name: str, *clients: ClientTraffic) -> tuple[TrafficSample, PathTraffic]:
    path = PathTraffic(method="GET", path="/v1/quotes", requests=sum(c.requests for c in clients),
                       status_classes={"2xx": sum(c.requests for c in clients)}, clients=clients)
    return TrafficSample(path=name, format="combined", total_lines=path.requests, parsed_lines=path.requests,
                         rejected_lines=0, paths=(path,)), path


def test_the_busiest_minute_of_any_file_and_client_is_the_endpoints_peak() -> None:
    tally = TrafficTally()
    for name, clients in (("a.log", (client(7, 40, 12, minute(1)), client(9, 90, 30, minute(6)))),
                          ("b.log", (client(7, 50, 30, minute(4)), client(11, 3, 3, minute(2))))):
        tally.add(*sample(name, *clients))
    stats = tally.stats("/v1/quotes")
    # Clients 7 and 9 both reached 30 in a minute: the earlier minute (client 7, 08:04) is cited.
    assert (stats.peak_requests_per_minute, stats.peak_rate_client, stats.peak_rate_minute) == (30, 7, minute(4))


def test_without_timed_minutes_there_is_no_peak() -> None:
    tally = TrafficTally()
    tally.add(*sample("a.log", client(7, 4, 0, None)))
    stats = tally.stats("/v1/quotes")
    assert (stats.peak_requests_per_minute, stats.peak_rate_client, stats.peak_rate_minute) == (0, None, None)
