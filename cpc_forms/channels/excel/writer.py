"""Build the questionnaire workbook of one form in one language, write it, and fill copies of it."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, List, Mapping, Optional

from openpyxl import Workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation

from ...model import DATE, DECIMAL, INTEGER, NUMERIC_KINDS, SELECT_MULTIPLE, SELECT_ONE, Form, Question
from ...scoring import plan_for
from . import formulas as fx
from .direction import mirror
from .layout import (
    ANSWER,
    CODE,
    FIRST_ROW,
    FOLDED,
    HIDDEN,
    ID,
    INSTRUCTIONS,
    LISTS,
    META,
    NOTES,
    NUMBER,
    OPTION,
    QUESTION,
    QUESTIONNAIRE,
    RELEVANT,
    REQUIRED,
    RESULTS,
    STATUS,
    YES_LIST,
    Layout,
    list_name,
    list_ranges,
    lookup_ranges,
    plan,
    score_ranges,
    sheet_name,
)
from .sheets import (
    BOLD,
    HEAD_FILL,
    HEAD_FONT,
    TITLE,
    WRAP,
    fit_height,
    fit_page,
    formula,
    instructions,
    lists,
    meta,
    put,
    results,
)
from .texts import right_to_left, texts, word

OPEN = Protection(locked=False)
THIN = Side(style="thin", color="7F7F7F")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
ANSWER_FILL = PatternFill("solid", fgColor="FFF9E5")
SECTION_FILL = PatternFill("solid", fgColor="D9E2F3")
GREY = PatternFill("solid", fgColor="D9D9D9")
RED = PatternFill("solid", fgColor="F4B6B6")
ORANGE = PatternFill("solid", fgColor="F8CBAD")
WIDTHS = {NUMBER: 12, QUESTION: 64, ANSWER: 44, NOTES: 26, STATUS: 15}


def build(form: Form, language: str) -> Workbook:
    """The questionnaire workbook of a form in one language (not yet saved)."""
    t = texts(language)
    wb = Workbook()
    cover = wb.worksheets[0]  # the one sheet a new workbook starts with
    cover.title = sheet_name(INSTRUCTIONS, language)
    instructions(cover, form, language, t)
    layout = plan(form, sheet_name(QUESTIONNAIRE, language))
    questionnaire(wb.create_sheet(layout.sheet), form, language, t, layout)
    results(wb.create_sheet(sheet_name(RESULTS, language)), form, language, t, layout)
    lists(wb.create_sheet(sheet_name(LISTS, language)), form, language, t)
    meta(wb, wb.create_sheet(META), form, language)
    for ws in wb:  # WCO and INTERPOL print on A4; an en-US office would otherwise print Letter
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
    if right_to_left(language):
        mirror(wb)
    wb.active = 1
    wb.security = WorkbookProtection(lockStructure=True)
    return wb


def questionnaire(ws, form: Form, language: str, t: dict, layout: Layout) -> None:
    """One banded heading per section, one row per question (and per multi-select option)."""
    put(ws, "A1", form.title.get(language, ""), font=TITLE)
    put(ws, "A2", t["stamp"].format(id=form.id, version=form.version, language=language))
    for col, key in zip("ABCDE", ("no", "question", "answer", "comment", "status")):
        put(ws, f"{col}{FIRST_ROW - 1}", t[key], font=HEAD_FONT, fill=HEAD_FILL)
    ranges = list_ranges(form, sheet_name(LISTS, language))
    checks: dict = {}
    for row in layout.rows:
        r = row.number
        if row.kind == "section":
            section_row(ws, form, row, language, layout)
        elif row.kind == "question":
            question_row(ws, form, row, language, t, layout, ranges, checks)
        elif row.question is not None and row.choice is not None:  # an option of a multiple choice
            parent = layout.question_row[row.question.id]
            put(ws, f"{QUESTION}{r}", row.choice.label.get(language, row.choice.code),
                alignment=Alignment(indent=2, wrap_text=True, vertical="top"))
            put(ws, f"{ID}{r}", row.question.id)
            put(ws, f"{OPTION}{r}", row.choice.code)
            formula(ws, f"{RELEVANT}{r}", f"${RELEVANT}${parent}")
            formula(ws, f"{FOLDED}{r}", fx.folded(r))
            formula(ws, f"{CODE}{r}", fx.option_code(r, parent))
            formula(ws, f"{STATUS}{r}", fx.status(r, t, option=True))
            answer_cell(ws, r)
            check(checks, ("list", ranges[YES_LIST][0]), ws, r)
            fit_height(ws, r, (ws[f"{QUESTION}{r}"].value, WIDTHS[QUESTION] - 4))
    for dv in checks.values():
        ws.add_data_validation(dv)
    finish(ws, layout, t)


def section_row(ws, form: Form, row, language: str, layout: Layout) -> None:
    """A banded section heading row."""
    r, s = row.number, row.section
    text = s.label.get(language, s.id) + ("\n" + s.hint[language] if s.hint.get(language) else "")
    put(ws, f"{NUMBER}{r}", text, font=BOLD, fill=SECTION_FILL, alignment=WRAP)
    ws.merge_cells(f"{NUMBER}{r}:{STATUS}{r}")
    fit_height(ws, r, (text, sum(WIDTHS.values())))
    put(ws, f"{ID}{r}", s.id)
    relevant_cell(ws, r, fx.relevant(form, layout, s.relevant))


def relevant_cell(ws, r: int, relevant) -> None:
    """The hidden cell telling whether a row's question is relevant."""
    if relevant is True:
        put(ws, f"{RELEVANT}{r}", True)
    else:
        formula(ws, f"{RELEVANT}{r}", relevant)


def question_row(ws, form, row, language, t, layout, ranges, checks) -> None:
    """One question's row: text with hint, answer cell, hidden id, code and scoring cells."""
    r, q = row.number, row.question
    # a list to search in the web form is searched by typing there; in a cell it is picked from a drop-down
    hint = t["search"] if q.appearance == "search" else q.hint.get(language)
    put(ws, f"{NUMBER}{r}", form.number(q.id), alignment=WRAP)
    put(ws, f"{QUESTION}{r}", q.label.get(language, q.id) + ("\n" + hint if hint else ""), alignment=WRAP)
    put(ws, f"{ID}{r}", q.id)
    relevant_cell(ws, r, fx.relevant(form, layout, *form.conditions_of(q.id)))
    if q.required:
        put(ws, f"{REQUIRED}{r}", 1)
    if q.kind == SELECT_ONE:
        formula(ws, f"{FOLDED}{r}", fx.folded(r))
    lists = sheet_name(LISTS, language)
    formula(ws, f"{CODE}{r}", fx.code(q, r, layout, lookup_ranges(form, lists)))
    formula(ws, f"{STATUS}{r}", fx.status(r, t))
    if q.scored:
        for col, text in fx.item(plan_for(form).item(q.id), r, layout, score_ranges(form, lists).get(q.id)).items():
            formula(ws, f"{col}{r}", text)
    longest = max((c.label.get(language, c.code) for c in q.choices), key=len, default="")
    fit_height(ws, r, (ws[f"{QUESTION}{r}"].value, WIDTHS[QUESTION]), (longest, WIDTHS[ANSWER]),
               (form.number(q.id), WIDTHS[NUMBER]))
    if q.kind == SELECT_MULTIPLE:
        ws[f"{ANSWER}{r}"].fill = GREY
        return
    answer_cell(ws, r)
    if q.kind == DATE:
        ws[f"{ANSWER}{r}"].number_format = "yyyy-mm-dd"
    rule = validation_key(q, ranges)
    if rule:
        check(checks, rule, ws, r, q, form, language)


def answer_cell(ws, r: int) -> None:
    """An editable answer cell (unlocked in a protected sheet)."""
    for col in (ANSWER, NOTES):
        cell = ws[f"{col}{r}"]
        cell.protection, cell.border = OPEN, BOX
        cell.alignment = WRAP
    ws[f"{ANSWER}{r}"].fill = ANSWER_FILL


def validation_key(q: Question, ranges) -> tuple:
    """What Excel checks in an answer cell: a list by range reference, bounds, a date or a length."""
    if q.kind == SELECT_ONE:
        return ("list", ranges[list_name(q)][0])
    if q.kind in NUMERIC_KINDS:
        low = fx.number(q.minimum) if q.minimum is not None else "-1E+300"
        high = fx.number(q.maximum) if q.maximum is not None else "1E+300"
        return ("whole" if q.kind == INTEGER else "decimal", low, high)
    if q.kind == DATE:
        return ("date", "1", "2958465")
    if q.max_length:
        return ("textLength", "0", str(q.max_length))
    return ()


def check(checks: dict, key: tuple, ws, r: int, q: Optional[Question] = None, form: Optional[Form] = None,
          language: str = "") -> None:
    """Put answer cell r under the data validation of its rule (one validation per rule and message)."""
    texts = (q.messages.get("constraint") if q else None) or (form.messages.get("constraint") if form else None) or {}
    message = texts.get(language)
    if key + (message,) not in checks:
        kind, first, *rest = key
        dv = DataValidation(type=kind, formula1=first, formula2=rest[0] if rest else None,
                            operator=None if kind == "list" else "between", allow_blank=True)
        # a list accepts what it does not hold: typed text AutoCorrect changed, or in the other language, is
        # looked up by the code cell's rule, which turns the cell orange when nothing matches
        dv.showErrorMessage, dv.error = kind != "list", message or word(language, "invalid")
        checks[key + (message,)] = dv
    checks[key + (message,)].add(f"{ANSWER}{r}")


def finish(ws, layout: Layout, t: dict) -> None:
    """Conditional formats, widths, hidden columns, protection and print setup."""
    first, last = FIRST_ROW, layout.last_row
    ws.conditional_formatting.add(f"A{first}:{STATUS}{last}", FormulaRule(
        formula=[f"${RELEVANT}{first}=FALSE"], fill=GREY, font=Font(color="808080"), stopIfTrue=True))
    ws.conditional_formatting.add(f"{ANSWER}{first}:{ANSWER}{last}", FormulaRule(
        formula=[f'AND(${RELEVANT}{first},${REQUIRED}{first}=1,${CODE}{first}="")'], fill=RED))
    ws.conditional_formatting.add(f"{ANSWER}{first}:{ANSWER}{last}", FormulaRule(
        formula=[f'${CODE}{first}="?"'], fill=ORANGE))
    for col, width in WIDTHS.items():
        ws.column_dimensions[col].width = width
    for col in HIDDEN:
        ws.column_dimensions[col].hidden = True
    ws.freeze_panes = f"A{first}"
    ws.protection.sheet = True
    ws.protection.formatRows = ws.protection.formatColumns = False  # resizing allowed
    ws.print_title_rows = f"{first - 1}:{first - 1}"
    ws.print_area = f"A1:{STATUS}{last}"
    fit_page(ws, "landscape")


def generate(form: Form, out_dir: Path) -> List[Path]:
    """One workbook per language: out_dir/<form_id>.<lang>.xlsx."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for language in form.languages:
        path = out_dir / f"{form.id}.{language}.xlsx"
        build(form, language).save(path)
        paths.append(path)
    return paths


def fill(form: Form, answers: Mapping[str, Any], path: Path, language: str) -> Path:
    """Write a filled workbook as a person would: choice labels of that language, numbers, dates, Yes marks."""
    wb = build(form, language)
    ws, layout, yes = wb[sheet_name(QUESTIONNAIRE, language)], plan(form), texts(language)["yes"]
    for qid, value in answers.items():
        q = form.question(qid)
        if q is None or value is None:
            continue
        if q.kind == SELECT_MULTIPLE:
            for code in value:
                put(ws, f"{ANSWER}{layout.option_row[(qid, code)]}", yes)
            continue
        cell = f"{ANSWER}{layout.question_row[qid]}"
        if q.kind == SELECT_ONE:
            choice = q.choice(str(value))
            put(ws, cell, choice.label.get(language, choice.code) if choice else str(value))
        elif q.kind == DATE:
            put(ws, cell, dt.date.fromisoformat(value) if isinstance(value, str) else value)
        elif q.kind in (INTEGER, DECIMAL):
            put(ws, cell, value)
        else:
            put(ws, cell, str(value))
    wb.save(path)
    return Path(path)
