"""Labels as the export readers compare them, and a choice found by its label.

A label export (KoboToolbox's default) writes questions and choices by their labels in one language, and the
same label reaches a reader spelled in ways that look alike: Arabic written with or without the hamza on its
alif, with tatweel or short vowels, wrapped in the direction marks that right-to-left editors and spreadsheets
insert, or in presentation forms copied from a PDF; Spanish or French decomposed (NFD) by a Mac. comparable()
gives all of them one spelling. A label two choices share in a language is no answer to guess: choice() says
which choices it could be, for the reader to report.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Dict, FrozenSet, Tuple, Union

from ....model import Question
from ....returns import normalise

# Invisible: direction marks, embeddings, overrides and isolates (U+200E/F, U+061C, U+202A-E, U+2066-9), the
# zero-width space, joiners and no-break space (U+200B-D, U+FEFF); Arabic tatweel, the short vowels and other
# harakat (U+064B-065F), the superscript alif (U+0670).
_DROPPED = [0x200E, 0x200F, 0x061C, *range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200B, 0x200C, 0x200D, 0xFEFF,
            0x0640, *range(0x064B, 0x0660), 0x0670]
_LETTERS = {
    **dict.fromkeys("\u0622\u0623\u0625\u0671\u0672\u0673", "\u0627"),  # alif with madda, hamza, wasla -> alif
    "\u0649": "\u064a",  # alif maqsura -> ya (Egyptian spelling writes final ya so)
    "\u06cc": "\u064a",  # Persian ya -> Arabic ya (Persian keyboards)
    "\u06a9": "\u0643",  # keheh -> kaf
    **{chr(0x0660 + n): str(n) for n in range(10)},  # Arabic-Indic digits
    **{chr(0x06F0 + n): str(n) for n in range(10)},  # extended (Persian) digits
}
_TABLE = str.maketrans({**dict.fromkeys(_DROPPED), **_LETTERS})
_PRESENTATION = re.compile("[\uFB50-\uFDFF\uFE70-\uFEFE]+")  # Arabic presentation forms A and B


@lru_cache(maxsize=65536)
def comparable(text: str) -> str:
    """One spelling of a label for comparison: presentation forms to letters (NFKC), NFC, invisible marks and
    harakat dropped, Arabic letter variants made one, then returns.normalise (spaces, quotes, case)."""
    text = _PRESENTATION.sub(lambda m: unicodedata.normalize("NFKC", m.group()), str(text))
    return normalise(unicodedata.normalize("NFC", text).translate(_TABLE))


Index = Dict[str, Dict[str, FrozenSet[str]]]  # comparable text -> language ('' for a code) -> choice codes


@lru_cache(maxsize=1024)
def choice_index(q: Question) -> Index:
    """A question's choices by the comparable spelling of each code and each label, per language."""
    index: Dict[str, Dict[str, set]] = {}
    for c in q.choices:
        for lang, text in [("", c.code), *c.label.items()]:
            if text:
                index.setdefault(comparable(text), {}).setdefault(lang, set()).add(c.code)
    return {key: {lang: frozenset(codes) for lang, codes in by.items()} for key, by in index.items()}


def choice(q: Question, text: str, language: str = "") -> Union[str, Tuple[str, ...], None]:
    """The code a cell names, by its code or a label: the code; the codes (sorted, several) a label shared by
    choices could be; None when it names none. language: the export's (its header's), whose labels win."""
    if q.choice(text) is not None:
        return text
    found = choice_index(q).get(comparable(text))
    if not found:
        return None
    codes = found.get(language) or frozenset().union(*found.values())
    return next(iter(codes)) if len(codes) == 1 else tuple(sorted(codes))


@lru_cache(maxsize=256)
def multi_labels(q: Question) -> Tuple[Dict[str, FrozenSet[str]], int]:
    """A multiple choice's comparable codes and labels -> the codes they name, and the most words one has."""
    labels = {key: frozenset().union(*by.values()) for key, by in choice_index(q).items()}
    longest = max((len(text.split()) for text in labels), default=1)
    return labels, max(longest, 1)


def words(text: str) -> list:
    """A label-mode cell's words, a word that is only invisible marks dropped."""
    return [w for w in str(text).split() if comparable(w)]

