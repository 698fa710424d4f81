"""Where everything sits in the workbook: sheet names, columns, and one row per question or option.

Questionnaire columns: A number, B question, C answer, D notes, E status (visible); hidden F..O:
F question id, G option code (multi-select option rows), H code (the answer as a choice code or
number, "" when unanswered or not relevant), I relevant (TRUE/FALSE), J required flag, and for
scored items K score, L answered (1/0), M applicable (1/0), N weight x score, O weight x max, P "don't know"
(1/0), Q its weight x max, and R the answer as compared (returns.fold rendered: plain spaces and quotes).
A multi-select question has a heading row (H = number of options chosen) and one row per option
(C = Yes or blank, H = 1/0).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

from ... import strings
from ...model import SELECT_MULTIPLE, Choice, Form, Question, Section
from .texts import STRINGS

LAYOUT_VERSION = "2"
INSTRUCTIONS, QUESTIONNAIRE, RESULTS, LISTS, META = "Instructions", "Questionnaire", "Results", "Lists", "_meta"
# the sheets' names in the workbook's language are texts of the strings file (sheet_results...), English where a
# language has none; _meta keeps its name: the reader starts there
PLAIN_NAME = re.compile(r"[A-Za-z_]+")  # a sheet name formulas may give unquoted


def sheet_name(sheet: str, language: str) -> str:
    """A sheet's name in a workbook of this language."""
    table = strings.load(STRINGS)
    return table.get(strings.block_for(table, language) or "", {}).get(f"sheet_{sheet.lower()}", sheet)


def sheet_names(sheet: str) -> Tuple[str, ...]:
    """Every name a sheet has in some language, English first."""
    table = strings.load(STRINGS)
    return tuple(dict.fromkeys([sheet, *(block.get(f"sheet_{sheet.lower()}", sheet) for block in table.values())]))


def quoted(sheet: str) -> str:
    """A sheet name as a formula writes it before '!': in single quotes unless plain ASCII letters ('القوائم')."""
    return sheet if PLAIN_NAME.fullmatch(sheet) else "'" + sheet.replace("'", "''") + "'"


FIRST_ROW = 5  # rows 1-3: title and stamp, row 4: column headings
NUMBER, QUESTION, ANSWER, NOTES, STATUS = "A", "B", "C", "D", "E"
ID, OPTION, CODE, RELEVANT, REQUIRED, SCORE, ANSWERED, APPLICABLE, WSCORE, WMAX, DK, DKMAX, FOLDED = "FGHIJKLMNOPQR"
HIDDEN = "FGHIJKLMNOPQR"
COL = {letter: i for i, letter in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZ")}  # letter -> 0-based index

# Results sheet: A label, B value, C completeness, D answered, E applicable; hidden F..K
R_LABEL, R_VALUE, R_COMPLETE, R_ANSWERED, R_APPLICABLE = "ABCDE"
R_WS, R_WM, R_HAS, R_WSCORE, R_WEIGHT, R_KEY = "FGHIJK"
R_DK, R_DKMAX, R_LOW, R_HIGH = "LMNO"  # "don't know" items, their weight x maximum, the score's bounds
R_FIRST = 4


def find_sheet(names, meta: dict, sheet: str) -> Tuple[str, bool]:
    """(the name a sheet has in this workbook, whether it is there): the metadata's name ('results', 'lists'),
    else any language's name of it that the workbook holds."""
    named = meta.get(sheet.lower()) or sheet_name(sheet, meta.get("language", ""))
    found = next((n for n in (named, *sheet_names(sheet)) if n in names), None)
    return found or named, found is not None


@dataclass(frozen=True)
class Row:
    """One row of the questionnaire sheet: a section heading, a question, or an option of a multiple choice."""
    number: int
    kind: str  # section, question, option
    section: Section
    question: Optional[Question] = None
    choice: Optional[Choice] = None


@dataclass(frozen=True)
class Layout:
    """Where everything stands in a workbook: rows by question and option."""
    rows: Tuple[Row, ...]
    question_row: Dict[str, int]
    option_row: Dict[Tuple[str, str], int]
    section_rows: Dict[str, Tuple[int, int]]  # first and last row of a section's questions
    sheet: str = QUESTIONNAIRE  # the questionnaire sheet's name in the workbook's language

    @property
    def last_row(self) -> int:
        """The last row of the questionnaire."""
        return self.rows[-1].number if self.rows else FIRST_ROW

    def ref(self, qid: str, code: Optional[str] = None) -> str:
        """The hidden code cell of a question (or of one option of a multi-select), for conditions."""
        return f"{quoted(self.sheet)}!{self.local_ref(qid, code)}"

    def local_ref(self, qid: str, code: Optional[str] = None) -> str:
        """The same cell, referenced from the questionnaire sheet itself."""
        row = self.question_row[qid] if code is None else self.option_row[(qid, code)]
        return f"${CODE}${row}"


def plan(form: Form, sheet: str = QUESTIONNAIRE) -> Layout:
    """The row of every section heading, question and multi-select option (on the questionnaire sheet named
    sheet, which other sheets' formulas refer to)."""
    rows: List[Row] = []
    question_row, option_row, section_rows = {}, {}, {}
    n = FIRST_ROW
    for section in form.sections:
        rows.append(Row(n, "section", section))
        n += 1
        first = n
        for q in section.questions:
            rows.append(Row(n, "question", section, q))
            question_row[q.id] = n
            n += 1
            if q.kind == SELECT_MULTIPLE:
                for c in q.choices:
                    rows.append(Row(n, "option", section, q, c))
                    option_row[(q.id, c.code)] = n
                    n += 1
        section_rows[section.id] = (first, n - 1)
    return Layout(tuple(rows), question_row, option_row, section_rows, sheet)


def list_name(q: Question) -> str:
    """The name of a question's choice list on the hidden lists sheet."""
    return q.choice_list or q.id


YES_LIST = "_yes"


def list_columns(form: Form) -> Dict[str, Tuple[str, str, int]]:
    """list name -> (labels column, codes column, size) on the lists sheet; one list per choice list."""
    from openpyxl.utils import get_column_letter

    sizes = {YES_LIST: 1}
    for q in form.questions:
        if q.choices and q.kind != SELECT_MULTIPLE:
            sizes.setdefault(list_name(q), len(q.choices))
    return {name: (get_column_letter(2 * n + 1), get_column_letter(2 * n + 2), size)
            for n, (name, size) in enumerate(sizes.items())}


def lookup_ranges(form: Form, lists: str = LISTS) -> Dict[str, Tuple[str, str]]:
    """list name -> (labels, codes) ranges that also hold the other languages' labels below the dropdown's, then
    every label folded (returns.fold, bidi marks removed), then those decomposed (NFD): an answer typed or pasted
    in another language, as AutoCorrect stores it, or decomposed as a Mac may type it, is still understood by the
    workbook's own formulas."""
    ranges: Dict[str, Tuple[str, str]] = {}
    for name, (label, code, size) in list_columns(form).items():
        rows = size * (1 if name == YES_LIST else 3 * len(form.languages))
        ranges[name] = (_column_range(label, rows, lists), _column_range(code, rows, lists))
    return ranges


def list_ranges(form: Form, lists: str = LISTS) -> Dict[str, Tuple[str, str]]:
    """list name -> (labels range, codes range), absolute references to the lists sheet (of that name)."""
    return {name: (_column_range(label, size, lists), _column_range(code, size, lists))
            for name, (label, code, size) in list_columns(form).items()}


def score_columns(form: Form) -> Dict[str, Tuple[str, str, Tuple[Tuple[str, float], ...]]]:
    """question id -> (codes column, points column, (code, points) pairs) on the lists sheet, for every item
    scored by its choice: the plan's points as ranges, never as array constants (Gnumeric reads {"0","1"} as
    numbers)."""
    from openpyxl.utils import get_column_letter

    from ...scoring import CHOICE, plan_for

    start = 2 * len(list_columns(form)) + 1
    items = [i for s in plan_for(form).sections for i in s.items if i.kind == CHOICE]
    return {i.question: (get_column_letter(start + 2 * n), get_column_letter(start + 2 * n + 1),
                         tuple(i.points.items())) for n, i in enumerate(items)}


def score_ranges(form: Form, lists: str = LISTS) -> Dict[str, Tuple[str, str]]:
    """question id -> (codes range, points range) of its choice scores on the lists sheet."""
    return {qid: (_column_range(codes, len(pairs), lists), _column_range(points, len(pairs), lists))
            for qid, (codes, points, pairs) in score_columns(form).items()}


def _column_range(col: str, rows: int, lists: str) -> str:
    return f"{quoted(lists)}!${col}$2:${col}${rows + 1}"  # below the lists sheet's heading row
