"""The Spark session `--engine spark` runs on, and the one-line error when pyspark is missing.

The session is the one the environment already provides when there is one (a Databricks notebook or
job, `spark-submit` with `--master`), else a new one for `--spark-master` (`local[2]`,
`spark://host:7077`, `yarn` ...), else a local one on every core. pyspark is imported here, never at
module level of anything the CLI imports, so that `riskscan --help` stays fast without it.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from typing import TYPE_CHECKING

from riskscan.errors import UsageError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

__all__ = ["INSTALL_HINT", "is_pyspark_installed", "spark_session"]

INSTALL_HINT = "--engine spark needs pyspark: pip install 'riskscan[spark]' (and Java 17 or later)"
_APP_NAME = "riskscan"
# Small local shuffles: the aggregates are small, and Spark's default of 200 partitions costs more
# to schedule than the data takes to group. A cluster's own setting is left alone.
# No web UI either: a local scan opens no port.
_LOCAL_CONFIG = {
    "spark.sql.shuffle.partitions": "4", "spark.ui.showConsoleProgress": "false", "spark.ui.enabled": "false",
}


def is_pyspark_installed() -> bool:
    """True when pyspark can be imported (without importing it)."""
    return importlib.util.find_spec("pyspark") is not None


def spark_session(master: str | None = None) -> SparkSession:
    """The active session when the environment has one and no master is asked for, else a new one.

    Raises `UsageError` naming what to install when pyspark is absent, and one line when Spark cannot
    start (no Java, a master that cannot be reached).
    """
    if not is_pyspark_installed():
        raise UsageError(INSTALL_HINT)
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None and master is None:
        return active
    builder = SparkSession.builder.appName(_APP_NAME)
    is_local = master is None or master.startswith("local")
    if master is not None:
        builder = builder.master(master)
    if is_local:
        # Python workers run this interpreter, which has riskscan (the slow-line UDF needs it), unless
        # the user chose one; pyspark takes it from the environment, not from the configuration.
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        for key, value in _LOCAL_CONFIG.items():
            builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as error:  # Java missing, master unreachable: py4j and pyspark raise many kinds
        raise UsageError(f"Spark could not start ({type(error).__name__}); is Java 17 or later installed?") from None
    session.sparkContext.setLogLevel("ERROR")
    return session
