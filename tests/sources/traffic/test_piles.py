"""Piles merge partial groups exactly, and seldom enough that a long log is not regrouped per batch."""

from __future__ import annotations

import polars as pl

from riskscan.sources.traffic.piles import Pile, merge_minutes, merge_objects


def _objects(start: int, stop: int) -> pl.DataFrame:
    return pl.DataFrame({"endpoint": [1] * (stop - start), "client": [7] * (stop - start),
                         "key": list(range(start, stop))})


def test_merges_double_in_size_so_each_row_is_regrouped_a_few_times() -> None:
    merges: list[int] = []

    def counting(frame: pl.DataFrame) -> pl.DataFrame:
        merges.append(frame.height)
        return merge_objects(frame)

    pile = Pile(counting)
    for batch in range(1000):  # 1,000 batches of 100 rows, half of each already seen in the one before
        pile.add(_objects(batch * 50, batch * 50 + 100), floor=100)
    merged = pile.flush()
    assert merged is not None and merged.height == 50_050  # exact: every distinct key once
    assert len(merges) < 20  # once per batch would be 1,000 merges
    assert sum(merges) < 8 * 100_000  # rows regrouped in all: a few times the rows added


def test_flush_of_an_empty_pile_is_none_and_one_frame_is_kept_as_is() -> None:
    assert Pile(merge_objects).flush() is None
    pile = Pile(merge_minutes)
    frame = pl.DataFrame({"endpoint": [1, 1], "client": [2, 2], "minute": [5, 5], "count": [3, 4],
                          "failed": [0, 1]})
    pile.add(frame)
    assert pile.flush() is frame  # nothing to merge: duplicates of one batch are the batch's business
    pile.add(frame)
    merged = pile.flush()
    assert merged is not None and merged.rows() == [(1, 2, 5, 14, 2)]
