"""`--engine spark`: the same aggregates as the embedded engine, on Spark in local mode.

Every access-log fixture is read by both engines and the `TrafficSample`s compared whole: endpoints,
counts, status classes, clients (the same opaque ids), per-client requests, id spans, failed-auth and
request peaks per minute (rate-peaks.log: known minutes, a tie), query keys, first/last seen, sample
and rejected line numbers, warnings. Object keys come from different hashes (Polars' and Spark's
xxhash64), so their counts are compared, not their bytes.
One Spark session serves the module (it takes seconds to start); without pyspark or Java the Spark
tests skip, saying which is missing.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from typer.testing import CliRunner

from riskscan.cli import app
from riskscan.errors import SourceError
from riskscan.model import TrafficSample
from riskscan.pipeline import ScanOptions, TrafficEngine, scan
from riskscan.sources import ReadContext, make_client_hasher
from riskscan.sources.traffic.access_log import AccessLogReader
from riskscan.sources.traffic.spark import session as spark_session_module
from riskscan.sources.traffic.spark.session import INSTALL_HINT, is_pyspark_installed

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "access_log"
ESTATE = Path(__file__).resolve().parents[2] / "fixtures" / "estate"
LINE = ('{ip} - - [09/Nov/2026:08:{minute:02d}:{second:02d} +0000] '
        '"{method} /v1/accounts/{n}?page={n} HTTP/1.1" {status} 12 "-" "sdk/1"\n')
_MISSING = (
    "pyspark is not installed (pip install 'riskscan[spark]')" if not is_pyspark_installed()
    else "Java is not installed (Spark needs Java 17 or later)" if shutil.which("java") is None
    else None
)
needs_spark = pytest.mark.skipif(_MISSING is not None, reason=f"Spark tests skipped: {_MISSING}")


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkSession]:
    """One local Spark session (two cores) for the module, stopped after it."""
    session = spark_session_module.spark_session("local[2]")
    yield session
    session.stop()


def context(protected: frozenset[str] = frozenset()) -> ReadContext:
    return ReadContext(root=FIXTURES, client_id=make_client_hasher(b"test-salt"), protected_paths=protected)


def embedded(path: Path, protected: frozenset[str] = frozenset()) -> TrafficSample | str:
    try:
        return AccessLogReader().read(path, context(protected))
    except SourceError as error:
        return str(error)


def on_spark(spark: SparkSession, path: Path, protected: frozenset[str] = frozenset()) -> TrafficSample | str:
    from riskscan.sources.traffic.spark.scan import SparkAccessLogReader

    try:
        return SparkAccessLogReader(spark).read(path, context(protected))
    except SourceError as error:
        return str(error)


def comparable(sample: TrafficSample | str) -> Any:
    """The sample as plain data, each client's object keys replaced by their count."""
    if isinstance(sample, str):
        return sample
    data = sample.model_dump()
    for path in data["paths"]:
        for client in path["clients"]:
            client["object_keys"] = len(client["object_keys"]) // 8
    return data


# Spark reads a compressed stream cut short up to the damage, as the embedded engine does, and says so
# in its own words (it cannot tell a cut stream from a corrupt one).
_TRUNCATED = "truncated.log.gz"


@needs_spark
@pytest.mark.parametrize("name", sorted(path.name for path in FIXTURES.iterdir() if path.name != _TRUNCATED))
def test_spark_gives_the_embedded_engines_aggregates(spark: SparkSession, name: str) -> None:
    assert comparable(on_spark(spark, FIXTURES / name)) == comparable(embedded(FIXTURES / name))


@needs_spark
def test_literals_a_spec_names_are_kept_alike_on_both_engines(spark: SparkSession, tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    line = '192.0.2.{n} - - [09/Nov/2026:08:00:{n:02d} +0000] "GET {path} HTTP/1.1" 200 12 "-" "sdk/1"\n'
    paths = ["/v1/reports/2024", "/v1/reports/2023", "/v1/tenants/1042/users/7", "/v1/tenants/99/users/7"]
    log.write_text("".join(line.format(n=n, path=path) for n, path in enumerate(paths)))
    protected = frozenset({"/v1/reports/2024", "/v1/tenants/1042"})
    sample = embedded(log, protected)
    assert isinstance(sample, TrafficSample)
    assert [item.path for item in sample.paths] == [
        "/v1/reports/2024", "/v1/reports/{id}", "/v1/tenants/1042/users/{id}", "/v1/tenants/{id}/users/{id}"]
    assert comparable(on_spark(spark, log, protected)) == comparable(sample)


@needs_spark
def test_a_truncated_gzip_log_keeps_the_same_requests_and_says_so(spark: SparkSession) -> None:
    mine, theirs = on_spark(spark, FIXTURES / _TRUNCATED), embedded(FIXTURES / _TRUNCATED)
    assert isinstance(mine, TrafficSample) and isinstance(theirs, TrafficSample)
    assert comparable(mine)["paths"] == comparable(theirs)["paths"]
    assert mine.parsed_lines == theirs.parsed_lines
    assert theirs.warnings[0] == f"truncated gzip stream after {theirs.total_lines} lines"
    # The embedded engine also counts (and rejects) the cut last line; Hadoop's reader drops it.
    assert mine.total_lines == theirs.total_lines - 1 and mine.warnings[0] == (
        f"compressed stream damaged or cut short after {mine.total_lines} lines (read up to the damage)")


@needs_spark
def test_a_damaged_file_in_a_folder_is_read_up_to_the_damage_and_named(spark: SparkSession, tmp_path: Path) -> None:
    from riskscan.sources.traffic.spark.scan import SparkTraffic

    folder = tmp_path / "logs"
    folder.mkdir()
    for name in ("combined.log", _TRUNCATED):
        shutil.copy(FIXTURES / name, folder / name)
    [outcome] = SparkTraffic("local[2]").read_locations([folder.as_uri()], context())
    sample = outcome.payload
    whole, cut = embedded(FIXTURES / "combined.log"), embedded(FIXTURES / _TRUNCATED)
    assert isinstance(sample, TrafficSample) and isinstance(whole, TrafficSample) and isinstance(cut, TrafficSample)
    assert outcome.input_file.status == "used"
    assert sample.total_lines == whole.total_lines + cut.total_lines - 1  # all before the damage (cut line dropped)
    assert sample.warnings[0] == (f"{(folder / _TRUNCATED).as_uri()}: compressed stream damaged or cut short "
                                  f"after {cut.total_lines - 1} lines (read up to the damage)")


@needs_spark
def test_line_numbers_stay_exact_when_spark_splits_the_file(spark: SparkSession, tmp_path: Path) -> None:
    """A log read in many splits (4 KiB each): sample and rejected line numbers are the file's own."""
    lines = [LINE.format(ip=f"192.0.2.{n % 7}", minute=n // 60 % 60, second=n % 60, n=n,
                         method="GET" if n % 5 else "POST", status=(200, 401, 404, 429, 503)[n % 5])
             for n in range(600)]
    for junk in (17, 250, 599):
        lines[junk] = f"not a log line {junk}\n"
    lines[300] = "\n"  # blank lines are numbered but not counted
    log = tmp_path / "split.log"
    log.write_text("".join(lines))
    spark.conf.set("spark.sql.files.maxPartitionBytes", "4096")
    try:
        mine = on_spark(spark, log)
    finally:
        spark.conf.unset("spark.sql.files.maxPartitionBytes")
    theirs = AccessLogReader().read(log, ReadContext(root=tmp_path, client_id=make_client_hasher(b"test-salt")))
    assert comparable(mine) == comparable(theirs)
    assert isinstance(mine, TrafficSample) and "at lines 18, 251, 600" in mine.warnings[0]
    from riskscan.sources.traffic.spark.text import tagged_lines

    spark.conf.set("spark.sql.files.maxPartitionBytes", "4096")
    try:
        assert tagged_lines(spark, [str(log)]).select("block").distinct().count() > 10  # it was split
    finally:
        spark.conf.unset("spark.sql.files.maxPartitionBytes")


@needs_spark
def test_a_location_given_as_uri_is_one_source_named_without_credentials(spark: SparkSession, tmp_path: Path) -> None:
    from riskscan.sources.traffic.spark.scan import SparkTraffic, shown_location

    assert shown_location("s3a://AKIAEXAMPLE:wJalrSecret@bucket/logs/2026-11/?token=abc") == "s3a://bucket/logs/2026-11/"
    shown = shown_location("abfss://logs@account.dfs.core.windows.net/api/")  # `logs@account` is no credential
    assert shown.startswith("abfss://") and shown.endswith("/api/")  # (redaction may still mask it as an address)
    folder = tmp_path / "logs"
    folder.mkdir()
    for name in ("combined.log", "common.log"):
        shutil.copy(FIXTURES / name, folder / name)
    [outcome] = SparkTraffic("local[2]").read_locations([folder.as_uri()], context())
    sample = outcome.payload
    assert isinstance(sample, TrafficSample) and outcome.input_file.status == "used"
    assert sample.path == folder.as_uri()
    one, two = embedded(FIXTURES / "combined.log"), embedded(FIXTURES / "common.log")
    assert isinstance(one, TrafficSample) and isinstance(two, TrafficSample)
    assert sample.total_lines == one.total_lines + two.total_lines  # the files numbered as one, in name order
    assert sum(path.requests for path in sample.paths) == sum(path.requests for path in (*one.paths, *two.paths))
    [missing] = SparkTraffic("local[2]").read_locations([(tmp_path / "absent").as_uri()], context())
    assert missing.input_file.status == "failed" and "Spark could not read it" in (missing.input_file.message or "")


@needs_spark
def test_a_scan_on_spark_assesses_the_estate_as_the_embedded_engine(spark: SparkSession) -> None:
    on_spark_scan = scan(ScanOptions(paths=(ESTATE,), engine=TrafficEngine.SPARK, spark_master="local[2]"))
    embedded_scan = scan(ScanOptions(paths=(ESTATE,)))
    assert _summary(on_spark_scan) == _summary(embedded_scan)
    assert on_spark_scan.inventory.endpoints and on_spark_scan.findings
    assert on_spark_scan.score == embedded_scan.score and on_spark_scan.grade == embedded_scan.grade


def _summary(assessment: Any) -> Any:
    endpoints = sorted(
        (endpoint.method, endpoint.path, endpoint.lifecycle, endpoint.traffic.requests if endpoint.traffic else 0)
        for endpoint in assessment.inventory.endpoints
    )
    findings = sorted((finding.control, finding.severity, finding.endpoints) for finding in assessment.findings)
    return endpoints, findings


def test_without_pyspark_the_spark_engine_is_one_line_saying_what_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(spark_session_module, "is_pyspark_installed", lambda: False)
    result = CliRunner().invoke(app, ["scan", str(ESTATE), "--engine", "spark", "--no-db"])
    assert result.exit_code == 2
    assert result.output.strip() == f"riskscan: error: {INSTALL_HINT}"


def test_a_remote_location_needs_the_spark_engine() -> None:
    result = CliRunner().invoke(app, ["scan", "s3a://bucket/logs/", "--no-db"])
    assert result.exit_code == 2
    assert "only --engine spark reads remote locations" in result.output
    result = CliRunner().invoke(app, ["scan", str(ESTATE), "--spark-master", "local[2]", "--no-db"])
    assert result.exit_code == 2 and "--spark-master needs --engine spark" in result.output


def test_the_cli_does_not_import_pyspark() -> None:
    """pyspark is imported only when the Spark engine runs, so that `riskscan --help` stays fast."""
    code = "import sys, riskscan.cli, riskscan.pipeline; print('pyspark' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert result.stdout.strip() == "False"
