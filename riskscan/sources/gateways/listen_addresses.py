"""Whether a listen address or an allow list reaches beyond the gateway's own host.

Runtime configs name where a management API listens (`127.0.0.1:8001`, `0.0.0.0:8444 ssl`,
`[::1]:8001`, `unix:/run/kong.sock`, `localhost:8001`) and which networks may call it (`127.0.0.0/24`,
`0.0.0.0/0`). Loopback and unix sockets are reachable from the host only; every other address, a wildcard
above all, is reachable from the network. Addresses are judged here and never kept: reports show the
setting's place, not the address.
"""

from __future__ import annotations

import ipaddress

__all__ = ["is_any_network", "is_loopback", "split_host"]

_LOOPBACK_NAMES = frozenset({"localhost", "ip6-localhost", "ip6-loopback"})


def split_host(address: str) -> str:
    """The host of `host:port`, `[v6]:port`, a bare host or a bare port (`8001`: every interface)."""
    address = address.strip()
    if address.startswith("["):
        return address[1:address.find("]")] if "]" in address else address[1:]
    if address.isdigit():
        return "0.0.0.0"  # nginx: a port alone listens on every address
    if address.count(":") == 1:
        return address.split(":", 1)[0]
    return address


def is_loopback(host: str) -> bool:
    """True for a loopback address or name and for a unix socket: reachable from the host only."""
    host = host.strip().lower()
    if host.startswith("unix:") or host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_any_network(cidr: str) -> bool:
    """True for an allow-list entry admitting every address (`0.0.0.0/0`, `::/0`)."""
    try:
        return ipaddress.ip_network(cidr.strip(), strict=False).prefixlen == 0
    except ValueError:
        return False
