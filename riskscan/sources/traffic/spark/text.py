"""The lines of log files as a Spark frame, each with its exact line number.

Spark reads a file in splits (blocks), several to a task, so neither the order of rows nor
`monotonically_increasing_id` is a line number. Within one split, though, rows come in file order
and that id is consecutive. So each row carries its file and split start (`_metadata`) and its id;
one small job counts the rows of each split, the driver adds the counts up in (file, offset) order,
and a broadcast join turns (split, id) into the line number: exact at any scale, for one extra
count over data that is cached anyway. Files of one location are numbered as if concatenated in
path order (`cat`), which for a single file is its own numbering.

Compression is Hadoop's, judged by the name (`.gz`, `.zst`, `.bz2`). A local file whose content
says otherwise (gzip named `.log`, plain text named `.gz`) is shown to Spark through a link whose
name tells the truth, as the embedded engine judges by content. Lines end at `\\n` only, as there.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from riskscan.sources.gzip_stream import GZIP_MAGIC
from riskscan.sources.traffic.spark.damaged import ANY_FILE, is_same_file
from riskscan.sources.zstd_stream import ZSTD_MAGIC

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame, SparkSession

__all__ = ["LocalNames", "line_numbers", "tagged_lines", "tagged_parquet_rows"]

_BZIP2_MAGIC = b"BZh"
_CODEC_SUFFIXES = {".gz": GZIP_MAGIC, ".zst": ZSTD_MAGIC, ".bz2": _BZIP2_MAGIC}


class LocalNames:
    """Names Spark can judge local files by: a link with the right suffix where the name misleads.

    A context manager: the links live in a temporary folder removed on exit.
    """

    def __init__(self) -> None:
        self._folder: tempfile.TemporaryDirectory[str] | None = None

    def __enter__(self) -> LocalNames:
        return self

    def __exit__(self, *_: object) -> None:
        if self._folder is not None:
            self._folder.cleanup()

    def location(self, path: Path) -> str:
        """The location to give Spark for a local file."""
        with path.open("rb") as handle:
            magic = handle.read(4)
        truth = next((suffix for suffix, start in _CODEC_SUFFIXES.items() if magic.startswith(start)), "")
        named = path.suffix.lower() if path.suffix.lower() in _CODEC_SUFFIXES else ""
        if truth == named:
            return str(path.resolve())
        if self._folder is None:
            self._folder = tempfile.TemporaryDirectory(prefix="riskscan-spark-")
        link = Path(self._folder.name) / f"{len(list(Path(self._folder.name).iterdir()))}.log{truth}"
        link.symlink_to(path.resolve())
        return str(link)


def tagged_lines(session: SparkSession, locations: Sequence[str], damaged: Sequence[str] = ()) -> DataFrame:
    """`text`, `file`, `block` (the split's start offset) and `row` (consecutive within a split) of
    every line. The `damaged` files (`spark.damaged`) are read up to their damage, the rest strictly."""
    from pyspark.sql import functions as F

    def read(paths: Sequence[str], lenient: bool) -> DataFrame:
        frame = session.read.option("lineSep", "\n").option("ignoreCorruptFiles", lenient).text(list(paths))
        return frame.select(F.col("value").alias("text"), *_file_columns())

    return _numbered(_strict_and_lenient(session, locations, damaged, read))


def tagged_parquet_rows(session: SparkSession, locations: Sequence[str], damaged: Sequence[str] = ()) -> DataFrame:
    """The rows of Parquet files as `tagged_lines` gives lines: `text` is the row as one JSON object
    (nested columns as nested objects, times as ISO 8601 text), numbered in file and row order."""
    from pyspark.sql import functions as F

    def read(paths: Sequence[str], lenient: bool) -> DataFrame:
        frame = session.read.option("ignoreCorruptFiles", lenient).parquet(*paths)
        columns = (F.col(f"`{name}`") for name in frame.columns)
        return frame.select(F.to_json(F.struct(*columns)).alias("text"), *_file_columns())

    return _numbered(_strict_and_lenient(session, locations, damaged, read))


def _strict_and_lenient(
    session: SparkSession,
    locations: Sequence[str],
    damaged: Sequence[str],
    read: Callable[[Sequence[str], bool], DataFrame],
) -> DataFrame:
    """The files at `locations`, the `damaged` ones read leniently (up to the damage), the rest strictly."""
    if not damaged or ANY_FILE in damaged:
        return read(locations, bool(damaged))
    files = read(locations, True).inputFiles()  # a listing: nothing is read yet
    lenient = [file for file in files if any(is_same_file(file, bad) for bad in damaged)]
    strict = [file for file in files if file not in lenient]
    if not lenient:  # the named file is not one of these: read every file leniently
        return read(locations, True)
    frame = read(lenient, True)
    return read(strict, False).unionByName(frame) if strict else frame


def _file_columns() -> tuple[Column, Column]:
    """Each row's file and the start offset of its split."""
    from pyspark.sql import functions as F

    return F.col("_metadata.file_path").alias("file"), F.col("_metadata.file_block_start").alias("block")


def _numbered(frame: DataFrame) -> DataFrame:
    """Each row's id, taken after any union so that ids stay distinct across its parts."""
    from pyspark.sql import functions as F

    return frame.select("*", F.monotonically_increasing_id().alias("row"))


def line_numbers(session: SparkSession, tagged: DataFrame) -> DataFrame:
    """(file, block, first_row, before) per split: a row's line number is `row - first_row + before + 1`.

    `tagged` should be cached: the ids must be those of the rows they number.
    """
    from pyspark.sql import functions as F

    splits = tagged.groupBy("file", "block").agg(F.min("row").alias("first_row"), F.count(F.lit(1)).alias("rows"))
    offsets, before = [], 0
    for split in sorted(splits.collect(), key=lambda split: (split["file"], split["block"])):
        offsets.append((split["file"], split["block"], split["first_row"], before))
        before += split["rows"]
    return session.createDataFrame(offsets, "file string, block long, first_row long, before long")
