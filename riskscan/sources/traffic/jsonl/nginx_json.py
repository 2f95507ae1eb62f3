"""nginx JSON access logs (`log_format ... escape=json '{...}'`) keyed by nginx's own variable names.

nginx has no JSON format of its own: `log_format` names the keys. Most JSON formats people write name
them after the variables they hold, and those are read without a `--log-fields` mapping: the time
(`time_local`, `time_iso8601` or `msec`, also under `@timestamp`, `timestamp` or `time`), the request
as one line (`request`: `GET /v1/x?y=1 HTTP/1.1`) or apart (`request_method` or `method`, with
`request_uri`, `uri` or `path`), `status`, the client (`remote_addr`) and the host (`host`, `http_host`, `vhost` or
`server_name`). Everything else (user agents, referers, `remote_user`, timings, upstreams) is skipped
unread. Such a log is a mapped log with this built-in mapping (`mapped_log`); a user's own mapping that
fits the file wins.
"""

from __future__ import annotations

import re

from riskscan.sources.traffic.jsonl.decode import head_objects, resolve
from riskscan.sources.traffic.jsonl.fields import FieldMap, TimeFormat

__all__ = ["NGINX_JSON_FIELDS", "is_nginx_json"]

NGINX_JSON_FIELDS = FieldMap(
    time=("time_iso8601", "time_local", "msec", "@timestamp", "timestamp", "time"),
    method=("request_method", "method"),
    status=("status",),
    path=("request_uri", "uri", "path", "request"),
    host=("host", "http_host", "vhost", "server_name"),
    client=("remote_addr",),
    time_format=TimeFormat.ANY,
)
_REQUEST_LINE = re.compile(r"[A-Za-z]{1,20} [^ ]+(?: HTTP/[0-9.]{1,5})?")


def is_nginx_json(head: bytes) -> bool:
    """True when most of the first lines are JSON objects with nginx's variable names: a time, the
    status, `remote_addr`, and the request (a request line, or a method and a target)."""
    objects = head_objects(head)
    good = sum(_is_entry(entry) for entry in objects)
    return good > 0 and good * 2 > len(objects)


def _is_entry(entry: object) -> bool:
    has_time = any(resolve(entry, key) is not None for key in NGINX_JSON_FIELDS.time)
    request = resolve(entry, "request")  # None when an object (APISIX's and Kong's entries)
    has_request = (request is not None and _REQUEST_LINE.fullmatch(request) is not None) or (
        any(resolve(entry, key) is not None for key in NGINX_JSON_FIELDS.method)
        and any(resolve(entry, key) is not None for key in ("request_uri", "uri", "path")))
    return has_time and has_request and None not in (resolve(entry, "remote_addr"), resolve(entry, "status"))
