"""`--engine spark` beyond access logs: JSON-lines gateway logs, `--log-fields` JSON, ALB logs and Parquet.

Each fixture is read by the embedded reader and by its Spark reader (the embedded format run on the
executors) and the `TrafficSample`s compared whole, as test_spark.py does for access logs. A Parquet
location, written by Spark from a JSON-lines fixture, must give the same endpoints and counts as that
fixture. Without pyspark or Java these tests skip, saying which is missing.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from riskscan.errors import SourceError
from riskscan.model import SourceKind, TrafficSample
from riskscan.sources import READERS, ReadContext, make_client_hasher
from riskscan.sources.traffic.jsonl.fields import parse_log_fields
from riskscan.sources.traffic.spark import session as spark_session_module
from riskscan.sources.traffic.spark.session import is_pyspark_installed

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
_MISSING = (
    "pyspark is not installed (pip install 'riskscan[spark]')" if not is_pyspark_installed()
    else "Java is not installed (Spark needs Java 17 or later)" if shutil.which("java") is None
    else None
)
needs_spark = pytest.mark.skipif(_MISSING is not None, reason=f"Spark tests skipped: {_MISSING}")
MAPPING = parse_log_fields(str(FIXTURES / "mapped_log" / "fields.yaml"))
INHOUSE_MAPPING = parse_log_fields("time=ts,method=http.verb,path=http.target,status=http.code,host=http.vhost,"
                                   "client=peer.ip")
CASES = [
    *((SourceKind.APISIX_LOG, FIXTURES / "apisix_log" / name) for name in
      ("http-logger.jsonl", "bad-timestamps.jsonl", "truncated.jsonl", "wrong-types.jsonl")),
    *((SourceKind.KONG_LOG, FIXTURES / "kong_log" / name) for name in ("file-log.jsonl", "file-log-0x.jsonl")),
    *((SourceKind.ENVOY_LOG, FIXTURES / "envoy_log" / name) for name in
      ("access.json", "bad-timestamps-and-a-combined-line.json", "default-text.log", "istio-proxy.log",
       "envoy-gateway-default.json", "contour-default.json")),
    (SourceKind.TRAEFIK_LOG, FIXTURES / "traefik_log" / "access.json"),
    *((SourceKind.ALB_LOG, FIXTURES / "alb_log" / name) for name in
      ("alb-api.log", "bad-timestamps.log", "binary-garbage.log", "hostile-secrets.log",
       "mixed-with-combined.log", "truncated-last-line.log", "compose-alb.log")),
    *((SourceKind.HAPROXY_LOG, FIXTURES / "haproxy_log" / name) for name in
      ("syslog-httplog.log", "compose-haproxy.log")),
    *((SourceKind.CADDY_LOG, FIXTURES / "caddy_log" / name) for name in
      ("caddy-access.json", "docker-compose-logs.log")),
    *((SourceKind.MAPPED_LOG, FIXTURES / "mapped_log" / name) for name in  # nginx JSON: no mapping needed
      ("nginx-json-escape.log", "nginx-json-ingress.log")),
]


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkSession]:
    """One local Spark session (two cores) for the module, stopped after it."""
    session = spark_session_module.spark_session("local[2]")
    yield session
    session.stop()


def context(root: Path, mapping: Any = None) -> ReadContext:
    return ReadContext(root=root, client_id=make_client_hasher(b"test-salt"), log_fields=mapping)


def read(reader: Any, path: Path, mapping: Any = None) -> TrafficSample | str:
    try:
        sample = reader.read(path, context(path.parent, mapping))
    except SourceError as error:
        return str(error)
    assert isinstance(sample, TrafficSample)
    return sample


def comparable(sample: TrafficSample | str) -> Any:
    """The sample as plain data, each client's object keys replaced by their count."""
    if isinstance(sample, str):
        return sample
    data = sample.model_dump()
    for path in data["paths"]:
        for client in path["clients"]:
            client["object_keys"] = len(client["object_keys"]) // 8
    return data


def spark_reader(spark: SparkSession, kind: SourceKind) -> Any:
    from riskscan.sources.traffic.spark.scan import SparkLineLogReader

    return SparkLineLogReader(READERS[kind], spark)  # type: ignore[arg-type]


@needs_spark
@pytest.mark.parametrize(("kind", "path"), CASES, ids=[f"{kind.value}-{path.name}" for kind, path in CASES])
def test_spark_gives_the_embedded_engines_aggregates(spark: SparkSession, kind: SourceKind, path: Path) -> None:
    embedded = read(READERS[kind], path)
    assert comparable(read(spark_reader(spark, kind), path)) == comparable(embedded)


@needs_spark
def test_a_mapped_json_log_runs_on_spark_and_a_mapped_csv_stays_embedded(spark: SparkSession) -> None:
    inhouse = FIXTURES / "mapped_log" / "inhouse.jsonl"
    reader = spark_reader(spark, SourceKind.MAPPED_LOG)
    embedded = read(READERS[SourceKind.MAPPED_LOG], inhouse, INHOUSE_MAPPING)
    assert isinstance(embedded, TrafficSample) and embedded.paths
    assert comparable(read(reader, inhouse, INHOUSE_MAPPING)) == comparable(embedded)
    csv = FIXTURES / "mapped_log" / "export.csv"
    assert comparable(read(reader, csv, MAPPING)) == comparable(read(READERS[SourceKind.MAPPED_LOG], csv, MAPPING))


@needs_spark
def test_line_numbers_stay_exact_when_a_json_log_is_split(spark: SparkSession, tmp_path: Path) -> None:
    entry = ('{{"request":{{"method":"GET","uri":"/v1/policies/{n}","headers":{{"host":"api.example.com"}}}},'
             '"response":{{"status":{status}}},"start_time":{time},"client_ip":"192.0.2.{c}"}}\n')
    lines = [entry.format(n=n, status=(200, 401, 404)[n % 3], time=1794211200000 + n * 1000, c=n % 5)
             for n in range(400)]
    for junk in (9, 200, 399):
        lines[junk] = "{not json\n"
    log = tmp_path / "apisix.jsonl"
    log.write_text("".join(lines))
    spark.conf.set("spark.sql.files.maxPartitionBytes", "4096")
    try:
        mine = read(spark_reader(spark, SourceKind.APISIX_LOG), log)
    finally:
        spark.conf.unset("spark.sql.files.maxPartitionBytes")
    assert comparable(mine) == comparable(read(READERS[SourceKind.APISIX_LOG], log))
    assert isinstance(mine, TrafficSample) and "at lines 10, 201, 400" in mine.warnings[0]


@needs_spark
def test_json_and_parquet_locations_are_judged_by_their_first_rows(spark: SparkSession, tmp_path: Path) -> None:
    from riskscan.sources.traffic.spark.scan import SparkTraffic

    # A Parquet column has one type: the entry naming its consumer as a plain string (older APISIX)
    # would turn the whole `consumer` column into JSON text, so it is left out of this copy.
    lines = (FIXTURES / "apisix_log" / "http-logger.jsonl").read_text().splitlines(keepends=True)
    source = tmp_path / "http-logger.jsonl"
    source.write_text("".join(line for line in lines if '"consumer":"' not in line))
    parquet = tmp_path / "apisix.parquet"
    spark.read.json(str(source)).coalesce(1).write.parquet(str(parquet))
    traffic = SparkTraffic("local[2]")
    json_outcome, parquet_outcome = traffic.read_locations([source.as_uri(), parquet.as_uri()], context(tmp_path))
    embedded = read(READERS[SourceKind.APISIX_LOG], source)
    assert isinstance(embedded, TrafficSample)
    for outcome in (json_outcome, parquet_outcome):
        assert outcome.input_file.status == "used" and outcome.input_file.kind is SourceKind.APISIX_LOG
        sample = outcome.payload
        assert isinstance(sample, TrafficSample)
        assert comparable(sample)["paths"] == comparable(embedded)["paths"]
        assert sample.parsed_lines == embedded.parsed_lines
    assert "PLANTED-BEARER" not in repr(parquet_outcome.payload)


@needs_spark
def test_a_location_in_no_format_spark_reads_fails_in_one_line(spark: SparkSession, tmp_path: Path) -> None:
    from riskscan.sources.traffic.spark.scan import SparkTraffic

    notes = tmp_path / "notes.txt"
    notes.write_text("meeting notes\nnothing to see\n")
    [outcome] = SparkTraffic("local[2]").read_locations([notes.as_uri()], context(tmp_path))
    assert outcome.input_file.status == "failed"
    assert outcome.input_file.message == f"{notes.as_uri()}: not a traffic log Spark reads (access, APISIX, " \
                                         "Kong, Envoy, Traefik, Caddy, ALB, HAProxy, or --log-fields JSON)"
