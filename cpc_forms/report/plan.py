"""The Action plan sheet of scores.xlsx: a steering committee's plan, one row per country and weak section (the level
its key elements held back first), with what to do and where the Handbook says it, and empty owner, deadline and
status columns for the committee to fill (advice.steps chooses the rows).

Laid out as a plan: the header row frozen, a filter over the rows, long texts wrapped in wide columns, the status
a choice of three words in the report's language, the deadline a date cell (right to left in a right-to-left
language, as every sheet: books.Book)."""
from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any, Dict, List, Sequence

from ..aggregate import Country
from . import advice
from .labels import Labels

if TYPE_CHECKING:
    from .books import Sheet

STATUS = ("plan_not_started", "plan_in_progress", "plan_done")
# (heading key, width, kind): kind says how the column's cells are written
COLUMNS = (("code", 8, "text"), ("country", 20, "text"), ("section", 34, "wrap"), ("plan_level", 16, "text"),
           ("plan_score", 9, "score"), ("plan_low", 9, "score"), ("plan_high", 9, "score"),
           ("plan_recommendation", 70, "wrap"), ("plan_chapter", 12, "text"), ("plan_owner", 20, "wrap"),
           ("plan_deadline", 13, "date"), ("plan_status", 16, "text"))
OWNER, DEADLINE, STATUS_COLUMN = (len(COLUMNS) - 3, len(COLUMNS) - 2, len(COLUMNS) - 1)  # the committee's
FIRST_DAY, LAST_DAY = datetime.date(2000, 1, 1), datetime.date(2099, 12, 31)
LINE = 15  # points: a row's height per line of text at the default font size


def _formats(book) -> Dict[str, Any]:
    top = {"valign": "top"}
    return {"head": book.add_format({**top, "bold": True, "text_wrap": True, "bottom": 1}),
            "text": book.add_format(top), "wrap": book.add_format({**top, "text_wrap": True}),
            "quoted": book.add_format({**top, "text_wrap": True, "quote_prefix": True}),
            "score": book.add_format({**top, "num_format": "0.0"}),
            "date": book.add_format({**top, "num_format": "yyyy-mm-dd"})}


def _section(step: advice.Step, L: Labels) -> str:
    if step.section:
        return L.section(step.section)
    level = advice.held_level(L.form, step.country)
    assert level is not None  # a step without a section is a held level's
    share = step.country.national.key_elements.get(level.code)
    shown = L["percent"].format(n=round(100 * share)) if share is not None else L["no_value"]
    return L["plan_gate"].format(level=L.level(level.code), requirement=L.text(level.requirement) or level.code,
                                 share=shown)


def values(step: advice.Step, L: Labels) -> List[Any]:
    """The cells of one row of the plan, before the committee's columns."""
    texts = [a.recommendation.in_language(L.lang, L.form.default_language) for a in step.advice]
    chapters = dict.fromkeys(a.recommendation.handbook_ref for a in step.advice if a.recommendation.handbook_ref)
    return [step.country.country, L.country(step.country.country), _section(step, L), L.level(step.level) or "",
            step.score, step.low, step.high, "\n".join(dict.fromkeys(texts)), ", ".join(chapters)]


def height(cells: Sequence[Any], wrapped: bool = False) -> float:
    """A row's height for its wrapped texts (every text, wrapped) to show whole: neither Excel nor LibreOffice sizes
    a row written with its cells (XlsxWriter writes none), so it is the lines of its longest wrapped text, a
    character a width unit."""
    lines = 1
    for value, (_, width, kind) in zip(cells, COLUMNS):
        if (wrapped or kind == "wrap") and isinstance(value, str):
            lines = max(lines, sum(-(-len(part) // width) or 1 for part in value.split("\n")))
    return LINE * lines


def write(ws: "Sheet", countries: Sequence[Country], L: Labels) -> None:
    """Fill the Action plan sheet."""
    from .neutral import is_risky

    fmt, sheet = _formats(ws.book), ws.ws
    for n, (_, width, kind) in enumerate(COLUMNS):
        sheet.set_column(n, n, width, fmt[kind])
    sheet.freeze_panes(1, 0)
    heads = [L[key] for key, _, _ in COLUMNS]
    sheet.set_row(0, height(heads, wrapped=True), fmt["head"])
    for n, text in enumerate(heads):
        sheet.write_string(0, n, text, fmt["head"])
    steps = [s for c in countries for s in advice.steps(L.form, c)]
    for row, step in enumerate(steps, 1):
        cells = values(step, L)
        sheet.set_row(row, height(cells))
        for n, value in enumerate(cells):
            if isinstance(value, str) and value:
                sheet.write_string(row, n, value, fmt["quoted" if is_risky(value) else COLUMNS[n][2]])
            elif isinstance(value, (int, float)):
                sheet.write_number(row, n, value, fmt["score"])
        for n in range(OWNER, len(COLUMNS)):
            sheet.write_blank(row, n, None, fmt[COLUMNS[n][2]])
    _validate(sheet, max(1, len(steps)), L)
    sheet.autofilter(0, 0, max(1, len(steps)), len(COLUMNS) - 1)
    if not steps:
        sheet.write_string(1, 0, L["plan_none"], fmt["text"])


def _validate(sheet, last: int, L: Labels) -> None:
    """The status a choice of three words; the deadline a date."""
    sheet.data_validation(1, STATUS_COLUMN, last, STATUS_COLUMN, {
        "validate": "list", "source": [L[k] for k in STATUS], "error_title": L["plan_status"],
        "error_message": L["plan_status_rule"]})
    sheet.data_validation(1, DEADLINE, last, DEADLINE, {
        "validate": "date", "criteria": "between", "minimum": FIRST_DAY, "maximum": LAST_DAY,
        "error_title": L["plan_deadline"], "error_message": L["plan_deadline_rule"]})
