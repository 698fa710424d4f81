"""A sheet of the workbook saved as CSV (File > Save As > CSV in LibreOffice or Excel): known by its first
cells (the form's stamp, the column headings) in any language, so the sender is told to send the workbook."""
from __future__ import annotations

import csv
import re
from functools import lru_cache
from typing import Dict, List, Optional, Tuple

from .layout import INSTRUCTIONS, QUESTIONNAIRE, RESULTS, sheet_name
from .texts import every

_SUFFIXES = (".csv", ".txt", ".tsv")


def _stamp(template: str) -> "re.Pattern[str]":
    parts = re.split(r"\{\w+\}", template)
    return re.compile(r".+?".join(re.escape(p) for p in parts) + "$")


@lru_cache(maxsize=1)
def _known() -> Tuple[List["re.Pattern[str]"], Dict[tuple, str]]:
    """Every language's stamp pattern, and its sheets' first headings -> the sheet's name."""
    words = every()
    headings = {tuple(t[k] for k in ("no", "question", "answer")): sheet_name(QUESTIONNAIRE, language)
                for language, t in words.items()}
    headings.update({tuple(t[k] for k in ("section", "score", "completeness")): sheet_name(RESULTS, language)
                     for language, t in words.items()})
    return [_stamp(t["stamp"]) for t in words.values()], headings


def _text(head: bytes) -> str:
    """The first bytes as text, in UTF-8 (with or without a byte order mark) or else Windows-1252."""
    try:
        return head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if exc.start > len(head) - 4:  # a character cut by the end of the first bytes
            return head[:exc.start].decode("utf-8-sig")
        return head.decode("cp1252", "replace")


def rows(head: bytes) -> List[List[str]]:
    """The complete rows among a file's first bytes, split at the delimiter that gives the most cells."""
    lines = _text(head).splitlines()[:-1] or _text(head).splitlines()
    best: List[List[str]] = []
    for delimiter in ",;\t":
        parsed = list(csv.reader(lines, delimiter=delimiter))
        if sum(map(len, parsed)) > sum(map(len, best)):
            best = parsed
    return best


def saved_sheet(first_rows: List[List[str]]) -> Optional[str]:
    """The workbook sheet these first rows of a CSV were saved from, or None when they are not one of ours."""
    stamps, headings = _known()
    stamped = False
    for row in first_rows[:12]:
        cells = tuple(c.strip() for c in row[:3])
        if cells in headings:
            return headings[cells]
        stamped = stamped or any(p.match(cells[0]) for p in stamps if cells)
    return INSTRUCTIONS if stamped else None


def looks_like_saved_csv(path, head: bytes) -> Optional[str]:
    """saved_sheet() of a text file's first bytes (a .csv, .txt or .tsv by its name), else None."""
    if not str(path).lower().endswith(_SUFFIXES) or b"\x00" in head:
        return None
    return saved_sheet(rows(head))
