"""The exposure model's command-line inputs: amounts written as an underwriter writes them, checked.

`--revenue 250M`, `--limit 5m`, `--records 1.2M` or `--limit 5,000,000`: a number with an optional
k, M or B suffix (thousand, million, billion; any case), commas and underscores as separators. Anything
else, zero, a negative, infinite or absurdly large amount is one line naming the option, exit 2.
"""

from __future__ import annotations

import math
import re

from riskscan.errors import UsageError

__all__ = ["MAX_AMOUNT_USD", "MAX_RECORDS", "parse_amount", "parse_records"]

MAX_AMOUNT_USD = 1e13
"""Largest revenue or limit accepted: ten trillion dollars, above any insured's."""
MAX_RECORDS = 10**11
"""Largest record count accepted: a hundred billion, above any estate's."""

_AMOUNT = re.compile(r"^\s*\$?\s*([0-9][0-9_,]*(?:\.[0-9]+)?|\.[0-9]+)\s*([kKmMbB]?)\s*$")
_SUFFIX = {"": 1.0, "k": 1e3, "m": 1e6, "b": 1e9}


def parse_amount(text: str, option: str) -> float:
    """A positive dollar amount from `text` (`5M`, `250,000`); `UsageError` naming `option` otherwise."""
    value = _number(text, option)
    if not 0 < value <= MAX_AMOUNT_USD:
        raise UsageError(f"{option} must be a positive amount in USD up to {MAX_AMOUNT_USD:,.0f}")
    return value


def parse_records(text: str, option: str = "--records") -> int:
    """A whole, positive number of records from `text` (`1.2M`, `50000`)."""
    value = _number(text, option)
    if not 1 <= value <= MAX_RECORDS or value != math.floor(value):
        raise UsageError(f"{option} must be a whole number of records from 1 to {MAX_RECORDS:,}")
    return int(value)


def _number(text: str, option: str) -> float:
    found = _AMOUNT.match(text)
    if found is None:
        raise UsageError(f"{option} must be a number such as 250000, 2.5M or 1B (k, M, B suffixes)")
    digits = found.group(1).replace(",", "").replace("_", "")
    value = float(digits) * _SUFFIX[found.group(2).lower()]
    if not math.isfinite(value):
        raise UsageError(f"{option} is too large")
    return value
