"""Piles of partial groups, merged as they grow: how the traffic aggregate stays both exact and cheap.

Each batch of a log leaves small frames of groups (per endpoint and client, per distinct object, per
minute ...). Merging every frame into one after each batch would regroup everything seen so far each
time, so a log's cost would grow with the square of its length. A `Pile` merges only when the rows
added since its last merge outnumber the rows that merge left (and at least `MERGE_ROWS`): merged
sizes at least double between merges, so each row is regrouped a handful of times in all, and the
rows held unmerged are never more than the merged ones.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl

__all__ = [
    "MERGE_ROWS",
    "Pile",
    "merge_clients",
    "merge_minutes",
    "merge_objects",
    "merge_statuses",
]

MERGE_ROWS = 1_000_000
"""Unmerged rows a pile may always hold before it merges."""


@dataclass
class Pile:
    """Frames of one kind of group and the function that merges several into one."""

    merge: Callable[[pl.DataFrame], pl.DataFrame]
    frames: list[pl.DataFrame] = field(default_factory=list)
    merged_rows: int = 0
    pending_rows: int = 0

    def add(self, frame: pl.DataFrame, floor: int = MERGE_ROWS) -> None:
        """Keep a frame; merge once the rows added since the last merge outgrow it (and `floor`)."""
        self.frames.append(frame)
        self.pending_rows += frame.height
        if self.pending_rows > max(self.merged_rows, floor):
            self.flush()

    def flush(self) -> pl.DataFrame | None:
        """Merge every frame into one and return it (None when the pile is empty)."""
        import polars as pl

        if not self.frames:
            return None
        if len(self.frames) > 1:
            self.frames = [self.merge(pl.concat(self.frames, rechunk=False))]
        self.merged_rows, self.pending_rows = self.frames[0].height, 0
        return self.frames[0]


def merge_clients(frame: pl.DataFrame) -> pl.DataFrame:
    """Per (endpoint, client): requests and failed authentications summed, id span and time widened."""
    import polars as pl

    return frame.group_by("endpoint", "client").agg(
        pl.col("requests").sum(),
        pl.col("failed").sum(),
        pl.col("low").min(),
        pl.col("high").max(),
        pl.col("first").min(),
        pl.col("last").max(),
    )


def merge_objects(frame: pl.DataFrame) -> pl.DataFrame:
    """Distinct (endpoint, client, object key)."""
    return frame.unique()


def merge_statuses(frame: pl.DataFrame) -> pl.DataFrame:
    """Per (endpoint, status slot): requests summed, the first line kept."""
    import polars as pl

    return frame.group_by("endpoint", "slot").agg(pl.col("count").sum(), pl.col("line").min())


def merge_minutes(frame: pl.DataFrame) -> pl.DataFrame:
    """Per (endpoint, client, clock minute): requests and failed authentications summed."""
    import polars as pl

    return frame.group_by("endpoint", "client", "minute").agg(pl.col("count").sum(), pl.col("failed").sum())
