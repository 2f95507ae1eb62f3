"""AWS Network Load Balancer access logs: recognised, and skipped with a reason.

An NLB writes an access log entry only for TLS listeners, one per TLS connection (AWS documentation,
"Access logs for your Network Load Balancer"): `type version time elb listener client:port
destination:port connection_time tls_handshake_time received_bytes sent_bytes incoming_tls_alert
chosen_cert_arn chosen_cert_serial tls_cipher tls_protocol_version tls_named_group domain_name
alpn_fe_protocol alpn_be_protocol alpn_client_preference_list tls_connection_creation_time`. No HTTP
request is ever in it (the NLB does not look inside the connection), so there are no endpoints to
count: such a file is skipped with a message saying what it is, instead of "not a kind riskscan reads".
"""

from __future__ import annotations

import re

from riskscan.sources.traffic.docker_prefix import plain_head

__all__ = ["NLB_SKIP_REASON", "is_nlb_log"]

NLB_SKIP_REASON = "an AWS NLB access log: TLS connections, no HTTP requests to count"
"""The message of a skipped NLB log, shown in the scan's input list."""

_SNIFF_LINES = 20
# type `tls`, a version, the time, `net/<name>/<id>`, the listener id, client and destination address.
_ENTRY = re.compile(
    rb"^tls [0-9]+\.[0-9]+ [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\S* net/\S+ \S+ \S+:[0-9]+ \S+:[0-9]+ ")


def is_nlb_log(head: bytes) -> bool:
    """True when most of the first non-blank lines (up to 20) are NLB TLS access log entries (behind a
    `docker compose logs` prefix or not)."""
    lines = plain_head(head).split(b"\n")
    if len(lines) > 1 and len(head) >= 4096:
        lines.pop()  # the head may end inside a line
    sample = [line.strip() for line in lines if line.strip()][:_SNIFF_LINES]
    good = sum(_ENTRY.match(line) is not None for line in sample)
    return good > 0 and good * 2 > len(sample)
