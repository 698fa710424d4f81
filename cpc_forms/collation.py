"""Alphabetical order of display names in one language, as a reader of that language expects it.

The primary level of CLDR's root collation, which English, French and Arabic follow: letters compared without
their accents or case ("Îles Caïmans" among the I, "Émirats arabes unis" among the E); Arabic hamza forms with
their bare alif; spaces and punctuation before any letter. Spanish tailors one letter: ñ after n. Ties are broken
by the full text, so the order is total and stable.
"""
from __future__ import annotations

import unicodedata
from typing import Tuple

ALPHABETICAL_ROLES = ("country",)  # lists of names a reader looks up alphabetically; other lists keep their order
_TAILORED = {"es": {"ñ": "n\uffff"}}  # U+FFFF sorts after every letter: ñ between n and o


def _letters(text: str, language: str) -> str:
    tailor = _TAILORED.get(language, {})
    out = []
    for char in unicodedata.normalize("NFC", text).casefold():
        if char in tailor:
            out.append(tailor[char])
            continue
        base = unicodedata.normalize("NFD", char)
        out.extend(c if c.isalnum() else " " for c in base if not unicodedata.combining(c))
    return "".join(out)


def sort_key(text: str, language: str) -> Tuple[str, str]:
    """The key that orders display names alphabetically in one language."""
    return _letters(text, language), text


def ordered(names, language: str) -> list:
    """The (code, name) pairs sorted by name in one language."""
    return sorted(names, key=lambda pair: sort_key(pair[1], language))


def alphabetical(question) -> bool:
    """Whether a question's choices are shown in each language's alphabetical order (a scale is no alphabet)."""
    return question.role in ALPHABETICAL_ROLES


def in_order(question, language: str) -> list:
    """A question's choices in the order they are shown in one language: alphabetical lists by their labels,
    any other in the spec's order."""
    if not alphabetical(question):
        return list(question.choices)
    return sorted(question.choices, key=lambda c: sort_key(c.label.get(language) or c.code, language))
