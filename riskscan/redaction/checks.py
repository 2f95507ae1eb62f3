"""Small judgements the redaction rules share: checksums, randomness, decoding, control characters.

Kept apart from the rules so that the text and the path flavours judge a token, a card number or an
IBAN the same way.
"""

from __future__ import annotations

import html
import re
from urllib.parse import unquote

__all__ = [
    "CHARACTER_REFERENCE",
    "CONTROL_CHARACTERS",
    "ENCODED",
    "fully_decoded",
    "has_random_atom",
    "is_random",
    "neutralise",
    "passes_iban",
    "passes_luhn",
]

# Bidi embeddings, overrides and isolates, the implicit marks, line and paragraph separators, and every
# C0/C1 control: each can make a report show something other than what it holds.
_CONTROLS = (
    "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"  # C0 (tab and line breaks aside), DEL, C1
    "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"  # bidi marks, embeddings, overrides, isolates
    "\u2028\u2029\ufeff"  # line and paragraph separators, the byte-order mark
)
_CONTROL = re.compile(f"[{_CONTROLS}]")
CONTROL_CHARACTERS = _CONTROL
"""Matches one character that `neutralise` replaces (tabs and line breaks aside)."""
_CONTROL_OR_BREAK = re.compile(f"[{_CONTROLS}\t\n\r]")
REPLACEMENT = "\ufffd"
_NON_ALNUM = re.compile(r"[^A-Za-z0-9]+")


def neutralise(text: str, keep_breaks: bool = True) -> str:
    """Replace control, bidi and separator characters with U+FFFD (tabs and newlines kept on request).

    A U+202E in a route name would otherwise reverse what the report shows after it.
    """
    pattern = _CONTROL if keep_breaks else _CONTROL_OR_BREAK
    return pattern.sub(REPLACEMENT, text) if pattern.search(text) else text


def fully_decoded(text: str) -> str:
    """`text` with its encodings undone, up to three layers: percent-encoding (`%2540` is an `@`
    encoded twice), HTML character references (`&#64;`, `&#x40;`, `&commat;`) and the backslash
    escapes of JSON and C (`\\u0040`, `\\x40`) left in text that was not parsed as JSON.

    Used to judge a value, never to show one: a secret may not hide behind an encoding.
    """
    for _ in range(3):
        decoded = text
        if "%" in decoded:
            decoded = unquote(decoded, errors="replace")
        if "&" in decoded:
            decoded = html.unescape(decoded)
        if "\\" in decoded:
            decoded = _ESCAPE.sub(_unescaped, decoded)
        if decoded == text:
            break
        text = decoded
    return text


_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|x([0-9A-Fa-f]{2}))")
CHARACTER_REFERENCE = re.compile(r"&#?[0-9A-Za-z]+;")
"""An HTML character reference (`&#64;`, `&#x40;`, `&commat;`)."""
ENCODED = re.compile(r"%[0-9A-Fa-f]{2}|" + CHARACTER_REFERENCE.pattern + "|" + _ESCAPE.pattern)
"""Matches one encoded character that `fully_decoded` decodes."""


def _unescaped(match: re.Match[str]) -> str:
    code = int(match[1] or match[2], 16)
    return REPLACEMENT if 0xD800 <= code <= 0xDFFF else chr(code)  # a lone surrogate cannot be written


def is_random(atom: str, min_length: int = 16) -> bool:
    """True for a run of letters and digits that reads like a generated secret, not like a name.

    Generated tokens mix upper and lower case and switch between character classes often; camelCase
    names (`getPolicyV2Details`, `XMLHttpRequestUpload`) switch often too, but split into pieces that
    read as words. A random 24-character token passes for such a name about once in 200, a
    32-character one once in 6,000 (measured on uniform base62).
    """
    if len(atom) < min_length or atom.isupper() or atom.islower() or not atom.isalnum():
        return False
    if len(atom) > _LONGEST_NAME:
        return True  # no name runs this long; and counting a 12 MB atom's switches below takes seconds
    switches = sum(1 for left, right in zip(atom, atom[1:]) if _class_of(left) != _class_of(right))
    return switches * 4 >= len(atom) and not _reads_as_name(atom)


_LONGEST_NAME = 1024
_NAME_PIECE = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")


def _reads_as_name(atom: str) -> bool:
    """camelCase words (each with a vowel, no long consonant run), a few acronyms and short numbers."""
    pieces = _NAME_PIECE.findall(atom)
    acronyms = [piece for piece in pieces if piece.isupper()]
    numbers = [piece for piece in pieces if piece.isdigit()]
    if len(acronyms) > 2 or len(numbers) > 2 or any(len(piece) > 4 for piece in numbers):
        return False
    if any(len(piece) > 5 for piece in acronyms):
        return False
    words = [piece for piece in pieces if not piece.isupper() and not piece.isdigit()]
    odd = sum(1 for word in words if len(word) < 2 or not _VOWEL.search(word) or _CONSONANTS.search(word))
    return odd <= 1 and sum(map(len, words)) * 2 >= len(atom)


_VOWEL = re.compile(r"[aeiouy]", re.IGNORECASE)
_CONSONANTS = re.compile(r"[^aeiouy]{5,}", re.IGNORECASE)


def has_random_atom(text: str, min_length: int = 16) -> bool:
    """True when some letter-and-digit run of `text` (split at any other character) is random."""
    return any(is_random(atom, min_length) for atom in _NON_ALNUM.split(text))


def _class_of(char: str) -> int:
    return 0 if char.isdigit() else 1 if char.isupper() else 2


def passes_luhn(number: str) -> bool:
    """True when a digit string passes the Luhn checksum that payment card numbers carry."""
    digits = [int(char) for char in number if char.isdigit()]
    total = 0
    for index, digit in enumerate(reversed(digits)):
        if index % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def passes_iban(candidate: str) -> bool:
    """True when `candidate` (spaces allowed) is an IBAN whose check digits hold (ISO 13616 mod 97)."""
    compact = candidate.replace(" ", "").upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", compact):
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(char, 36)) for char in rearranged)) % 97 == 1
