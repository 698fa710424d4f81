"""The workbook's own wording (sheet names, headings, instructions, status and validation texts), per language,
read from generators/excel/strings.json through the one strings loader; and what follows from a language's
direction (a right-to-left workbook).

The instructions' bullet points are the keys step_1, step_2, ... (a strings file holds texts, not lists): a
translator adds or removes a step in every language alike, which strings.missing() checks.
French texts put a no-break space (U+00A0) before : ; ? ! and inside « », as French typography does.
"""
from __future__ import annotations

import re
from typing import Any, Dict, Set

from ... import strings

STRINGS = strings.EXCEL  # generators/excel/strings.json
STEP = re.compile(r"step_(\d+)")
# bidi marks a person may type (Windows inserts them with Ctrl+Shift, some Arabic keyboards with a key): invisible,
# so a label typed with one is the same label (returns.fold folds spaces and quotes; these are removed here)
MARKS = ("\u200e", "\u200f", "\u061c")
_UNMARK = str.maketrans(dict.fromkeys(MARKS, None))


def texts(language: str) -> Dict[str, Any]:
    """The workbook wording in one language (its own block, or its base language's: "es-MX" takes "es"), with
    "how": the instruction steps in order; StringsError naming the file when the file lacks the language."""
    words: Dict[str, Any] = dict(strings.texts(STRINGS, language))
    steps = sorted((int(m.group(1)), key) for key in words for m in [STEP.fullmatch(key)] if m)
    words["how"] = [words[key] for _, key in steps]
    return words


def every() -> Dict[str, Dict[str, Any]]:
    """texts() of every language the strings file has."""
    return {language: texts(language) for language in strings.load(STRINGS)}


def word(language: str, key: str) -> str:
    """One text in a language, or in English when the file lacks the language (a workbook's metadata may name
    any language): for messages about a workbook, never for what a workbook shows."""
    table = strings.load(STRINGS)
    return table[strings.block_for(table, language) or "en"][key]


def right_to_left(language: str) -> bool:
    """Whether a workbook in this language reads right to left."""
    return strings.direction(language) == "rtl"


def unmarked(text: str) -> str:
    """A text without the invisible bidi marks (MARKS) typed in it."""
    return text.translate(_UNMARK)


def yes_words() -> Set[str]:
    """Every language's 'yes' as typed or picked in a multi-select option cell (case-folded)."""
    return {t["yes"].casefold() for t in strings.load(STRINGS).values()} | {"x", "1", "true", "yes"}


def no_words() -> Set[str]:
    """Every language's 'no': an option cell holding one of these is not chosen."""
    return {t["no_word"].casefold() for t in strings.load(STRINGS).values()} | {"0", "false", "no", "-"}

