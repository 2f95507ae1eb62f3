"""Reducing a request's path to its endpoint-to-be at ingestion, so that aggregates stay small.

Real API traffic carries an id in most paths (`/v1/accounts/2281415`): hundreds of thousands of
distinct paths per million lines. A reader reduces each distinct path once, here, and aggregates per
reduced path, so that nothing it keeps grows with the number of distinct ids:

- every segment goes through the inventory's own `fold_segment` (redaction first, then numbers,
  UUIDs, hashes, prefixed and opaque ids, dates), so the inventory sees what it would have folded;
- three shapes that make most ids fold without that call, because no redaction rule can fire on
  them and `fold_segment` gives the same placeholder (property tests prove the two agree): a plain
  number of up to 12 digits (a card number has 13 or more) -> `{id}`, a canonical UUID -> `{uuid}`,
  and a short prefixed id (`CLM-2026-000123`, `POL-0001234`: up to 6 letters, then one or two runs
  of up to 9 digits, too short for any token rule) -> `{id}`;
- what folding removed is kept by the engine as an opaque object key (a hash of the concrete path,
  for counting the distinct objects a client calls) and the last numeric id (for seeing ids walked
  in sequence), never as text.
"""

from __future__ import annotations

import re

from riskscan.inventory.folding import fold_segment

__all__ = ["MAX_PLAIN_ID_DIGITS", "SHORT_PREFIXED_ID", "UUID", "reduce_path"]

_PERSON = b"riskscan-object"
UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
SHORT_PREFIXED_ID = re.compile(r"[A-Za-z]{1,6}-[0-9]{1,9}(?:-[0-9]{1,9})?")
# Years alone after the letters (`Q-2024`, `FY-2023-2024`) name a period, as folding judges them:
# those go the long way, through fold_segment.
_YEARS_ONLY = re.compile(r"[A-Za-z]{1,6}(?:-(?:19|20)[0-9]{2})+")
MAX_PLAIN_ID_DIGITS = 12
"""Longest all-digit segment folded without redaction's judgement (13 digits may be a card number)."""


def reduce_path(path: str) -> tuple[str, int | None]:
    """`/v1/accounts/2281415/payments` -> (`/v1/accounts/{id}/payments`, 2281415).

    The number is the last all-digit segment folded to `{id}`, or None. Segment by segment, so the
    path keeps its shape (empty segments and a trailing slash stay for the inventory to judge).
    """
    number: int | None = None
    segments = path.split("/")
    for index, segment in enumerate(segments):
        if segment.isdigit() and segment.isascii() and len(segment) <= MAX_PLAIN_ID_DIGITS:
            segments[index] = "{id}"
            number = int(segment)
        elif not segment:
            continue
        elif SHORT_PREFIXED_ID.fullmatch(segment) and not _YEARS_ONLY.fullmatch(segment):
            segments[index] = "{id}"
        elif len(segment) == 36 and UUID.fullmatch(segment):
            segments[index] = "{uuid}"
        else:
            segments[index] = fold_segment(segment)
    return "/".join(segments), number
