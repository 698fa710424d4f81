"""Formula neutralising: no text we write into a spreadsheet or CSV can become a live formula."""
from __future__ import annotations

from typing import Any

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def is_risky(text: str) -> bool:
    """Whether a spreadsheet could read this text as a formula (or a DDE call)."""
    return text.startswith(TRIGGERS)


def neutralise(value: Any) -> Any:
    """For CSV: a text starting with = + - @ tab or CR gets a leading apostrophe; anything else is unchanged.

    The apostrophe is the convention spreadsheets and CSV readers (our own included:
    returns.unquote_defensive) already know; numbers are never touched."""
    if isinstance(value, str) and is_risky(value):
        return "'" + value
    return value

