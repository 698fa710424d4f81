"""Answers whose hidden id column was emptied or deleted: placed by the visible question number and the row
position of the template they were filled in, or named as answers that cannot be placed; never dropped."""
from __future__ import annotations

from typing import List, Optional, Tuple

from ...catalogue import Code, issue
from ...model import Form, Issue
from ...returns import normalise
from .layout import ANSWER, COL, FIRST_ROW, ID, LAYOUT_VERSION, NUMBER, OPTION, QUESTION, Row, plan


def _text(row: list, col: str) -> str:
    i = COL[col]
    return str(row[i]).strip() if len(row) > i and row[i] not in (None, "") else ""


def _matches(row: list, where: Row, form: Form, language: str) -> bool:
    """Whether a row still shows what the template put there: its question's number (or its id, which workbooks
    written before the numbers showed), or its option's label."""
    if where.choice is None:
        return where.question is not None and _text(row, NUMBER) in (form.number(where.question.id),
                                                                     where.question.id)
    label = where.choice.label.get(language, where.choice.code)
    return not _text(row, NUMBER) and normalise(_text(row, QUESTION)) == normalise(label)


def place(rows: list, form: Form, meta: dict, sheet: str, source: str) -> Tuple[list, List[Issue]]:
    """The rows with the ids restored of every answered row that lost its id, and what was done: a warning when
    answers were placed by position (the template's spec hash and layout unchanged, and each row still showing
    its question number or option label), an error naming the cells of answers that cannot be placed."""
    lost = [n for n, row in enumerate(rows, start=1)
            if n >= FIRST_ROW and not _text(row, ID) and _text(row, ANSWER)]
    if not lost:
        return rows, []
    same = meta.get("layout") == LAYOUT_VERSION and bool(form.spec_hash) and meta.get("spec_hash") == form.spec_hash
    by_row = {row.number: row for row in plan(form).rows if row.kind != "section"} if same else {}
    language = meta.get("language", "")
    out, placed, unplaced = list(rows), [], []
    for n in lost:
        where: Optional[Row] = by_row.get(n)
        if where is None or where.question is None or not _matches(rows[n - 1], where, form, language):
            unplaced.append(n)
            continue
        row = list(rows[n - 1]) + [""] * max(0, COL[OPTION] + 1 - len(rows[n - 1]))
        row[COL[ID]], row[COL[OPTION]] = where.question.id, where.choice.code if where.choice else ""
        out[n - 1] = row
        placed.append(n)
    found = []
    if placed:
        found.append(issue(Code.EXCEL_IDS_RESTORED, source, f"{sheet}!{ID}{placed[0]}", sheet=sheet, count=len(placed)))
    if unplaced:
        cells = ", ".join(f"{ANSWER}{n}" for n in unplaced[:20]) + (" ..." if len(unplaced) > 20 else "")
        found.append(issue(Code.EXCEL_IDS_MISSING, source, f"{sheet}!{ANSWER}{unplaced[0]}", sheet=sheet,
                           count=len(unplaced), cells=cells))
    return out, found
