"""Excel formulas of the workbook, compiled from the spec: codes, skip logic, item and section scores.

The scoring cells render the arithmetic of the form's ScoringPlan (scoring.py), whose data decide every rule;
functions used exist in LibreOffice and Excel 2010+. Formulas come without the leading '='.
"""
from __future__ import annotations

import unicodedata
from typing import Dict, Optional, Sequence, Tuple

from ... import conditions
from ...model import NUMERIC_KINDS, SELECT_MULTIPLE, SELECT_ONE, Condition, Form, Question
from ...returns import FOLD
from ...scoring import CHOICE, COUNT, Band, ItemPlan, Threshold
from .layout import (
    ANSWER,
    ANSWERED,
    APPLICABLE,
    CODE,
    DK,
    DKMAX,
    FOLDED,
    RELEVANT,
    REQUIRED,
    SCORE,
    WMAX,
    WSCORE,
    Layout,
    list_name,
    quoted,
)
from .texts import MARKS, yes_words


def string(text: str) -> str:
    """An Excel string literal."""
    return '"' + str(text).replace('"', '""') + '"'


def number(x: float) -> str:
    """An Excel number literal, exact."""
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def relevant(form: Form, layout: Layout, *conds: Optional[Condition]):
    """All these conditions (a section's, a question's) as one formula, or True when there are none."""
    present = [c for c in conds if c is not None]
    if not present:
        return True
    parts = [conditions.to_excel(c, form, layout.local_ref) for c in present]
    return parts[0] if len(parts) == 1 else "AND(" + ",".join(parts) + ")"


def folded(r: int) -> str:
    """The answer cell of row r as compared (returns.fold rendered: FOLD's characters replaced, spaces trimmed and
    collapsed by TRIM; texts.MARKS removed), with MATCH's wildcards escaped so that '*' or '?' typed match only
    themselves."""
    text = f'${ANSWER}{r}&""'
    for mark in MARKS:
        text = f'SUBSTITUTE({text},{string(mark)},"")'
    for char, plain in FOLD.items():
        if char != plain:
            text = f"SUBSTITUTE({text},{f'CHAR({ord(char)})' if ord(char) < 32 else string(char)},{string(plain)})"
    text = f"TRIM({text})"
    for char in "~*?":
        text = f'SUBSTITUTE({text},"{char}","~{char}")'
    return text


def code(q: Question, r: int, layout: Layout, lists: Dict[str, Tuple[str, str]]) -> str:
    """The hidden code cell of a question row: choice code or number, "" when unanswered or not relevant.

    lists: list name -> (labels, codes) ranges to look answers up in (every language's labels, folded too)."""
    c, rel = f"${ANSWER}{r}", f"${RELEVANT}{r}"
    blank = f'TRIM({c}&"")=""'
    if q.kind == SELECT_ONE:
        labels, codes = lists[list_name(q)]
        typed = f"${FOLDED}{r}"  # MATCH ignores case, as normalise folds it
        lookup = (f"IFERROR(INDEX({codes},MATCH({typed},{labels},0)),"
                  f'IFERROR(INDEX({codes},MATCH({typed},{codes},0)),"?"))')
        # "n/a" as written is no answer (returns.coerce), while "N/A" may be a label: EXACT minds the case
        return f'IF({rel},IF(OR({typed}="",EXACT({typed},"n/a")),"",{lookup}),"")'
    if q.kind == SELECT_MULTIPLE:
        rows = [layout.option_row[(q.id, ch.code)] for ch in q.choices]
        return f"SUM(${CODE}{min(rows)}:${CODE}{max(rows)})"
    if q.kind in NUMERIC_KINDS:
        return f'IF({rel},IF({blank},"",IF(ISNUMBER({c}),{c},IFERROR(VALUE(TRIM({c})),"?"))),"")'
    return f'IF(AND({rel},NOT({blank})),{c},"")'


def option_code(r: int, parent: int) -> str:
    """1 when a multi-select option row is marked (and its question relevant), else 0."""
    words = sorted({form for w in yes_words() for form in (w, unicodedata.normalize("NFD", w))})  # "Sí" decomposed
    return f"IF(AND(${RELEVANT}${parent},OR(" + ",".join(f"${FOLDED}{r}={string(w)}" for w in words) + ")),1,0)"


def status(r: int, texts: dict, option: bool = False) -> str:
    """The visible status of a row: not applicable, or a required answer missing."""
    if option:
        return f'IF(${RELEVANT}{r},"",{string(texts["not_applicable"])})'
    missing = f'IF(AND(${REQUIRED}{r}=1,${CODE}{r}=""),{string(texts["required"])},"")'
    return f'IF(${RELEVANT}{r},{missing},{string(texts["not_applicable"])})'


def at_least(x: str, threshold: Threshold) -> str:
    """Whether x reaches a threshold of the plan."""
    return f"{x}{'>=' if threshold.inclusive else '>'}{number(threshold.value)}"


def within(x: str, band: Band) -> str:
    """Whether number x falls in a band of the plan (scoring.Band.contains)."""
    if band.high is None:
        return f"{x}>={number(band.low)}"
    return f"AND({x}>={number(band.low)},{x}{'<=' if band.closed else '<'}{number(band.high)})"


def bands(x: str, items: Sequence[Band], show=number) -> str:
    """show(value) of the first band that contains number x; "" when none does."""
    out = '""'
    for b in reversed(items):
        out = f"IF({within(x, b)},{show(b.value)},{out})"
    return out


def item(plan: ItemPlan, r: int, layout: Layout, scores: Optional[Tuple[str, str]] = None) -> Dict[str, str]:
    """Formulas of the hidden scoring cells of one scored item: score, answered, applicable, weighted.

    scores: for an item scored by its choice, the (codes, points) ranges holding the plan's points."""
    h, rel = f"${CODE}{r}", f"${RELEVANT}{r}"
    if plan.kind == CHOICE:
        if scores is None:
            raise ValueError(f"item {plan.question} is scored by its choice: its points' ranges are needed")
        codes, points = scores
        score = f'IF({h}="","",IFERROR(INDEX({points},MATCH({h},{codes},0)),""))'
        na = [f"{h}<>{string(c)}" for c in plan.not_applicable]
        applicable = f"IF(AND({rel},{','.join(na)}),1,0)" if na else f"IF({rel},1,0)"
    elif plan.kind == COUNT:
        def total(codes):
            cells = [f"${CODE}{layout.option_row[(plan.question, c)]}" for c in codes]
            return f"SUM({','.join(cells)})" if cells else "0"
        counted, na = total(plan.counted), total(plan.not_applicable)
        score = f'IF(OR({h}=0,{na}>0),"",{bands(counted, plan.bands)})'
        applicable = f"IF(AND({rel},{na}=0),1,0)"
    else:
        score = f'IF(ISNUMBER({h}),{bands(h, plan.bands)},"")'
        applicable = f"IF({rel},1,0)"
    s, a = f"${SCORE}{r}", f"${ANSWERED}{r}"
    cells = {SCORE: score, ANSWERED: f"IF(ISNUMBER({s}),1,0)", APPLICABLE: applicable,
             WSCORE: f"IF({a}=1,{number(plan.weight)}*{s},0)",
             WMAX: f"IF({a}=1,{number(plan.weighted_max)},0)"}
    if plan.dont_know:
        dk = ",".join(f"{h}={string(c)}" for c in plan.dont_know)
        cells[DK] = f"IF(AND({rel},OR({dk})),1,0)"
        cells[DKMAX] = f"IF(${DK}{r}=1,{number(plan.weighted_max)},0)"
    return cells


def section_sums(first: int, last: int, sheet: str) -> Dict[str, str]:
    """Sums over a section's rows of the questionnaire sheet so named: weighted scores, weighted maxima, answered
    and applicable items."""
    def total(col):
        return f"SUM({quoted(sheet)}!${col}${first}:${col}${last})"
    return {"ws": total(WSCORE), "wm": total(WMAX), "answered": total(ANSWERED), "applicable": total(APPLICABLE),
            "dont_know": total(DK), "unknown": total(DKMAX)}


def section_score(ws: str, wm: str, completeness: str, applicable: str, threshold: Threshold) -> str:
    """100 x sum(w x s) / sum(w x max) when the section is complete enough, else ""."""
    return f'IF({applicable}=0,"",IF(AND({at_least(completeness, threshold)},{wm}>0),100*{ws}/{wm},""))'


def bounds(score: str, ws: str, wm: str, dkmax: str) -> Tuple[str, str]:
    """The score's low and high bounds, had every "don't know" been the worst and the best answer (scoring.bounds)."""
    return (f'IF(ISNUMBER({score}),100*{ws}/({wm}+{dkmax}),"")',
            f'IF(ISNUMBER({score}),100*({ws}+{dkmax})/({wm}+{dkmax}),"")')


def index(has: str, wscores: str, weights: str, min_sections: int) -> str:
    """Weighted mean of the section scores, when at least min_sections have one."""
    return f'IF(SUM({has})>={min_sections},SUM({wscores})/SUM({weights}),"")'


def band_number(x: str, levels: Sequence[Band]) -> str:
    """The number (from 1) of the level band index x falls in; "" when there is no index."""
    place = {b.value: n for n, b in enumerate(levels, start=1)}
    return f'IF(ISNUMBER({x}),{bands(x, levels, lambda code: str(place[code]))},"")'


def gated_number(band: str, gates: Dict[int, str]) -> str:
    """The number of the level reached: the band's, or the one below the lowest level (number -> its cell,
    1 when its key elements are there) whose key elements are missing (scoring.gated)."""
    if not gates:
        return f'IF({band}="","",{band})'
    chain = band
    for n in sorted(gates, reverse=True):
        chain = f"IF({gates[n]}=0,{n - 1},{chain})"
    return f'IF({band}="","",MIN({band},{chain}))'


def choose(n: str, texts: Sequence[str]) -> str:
    """The text numbered n among texts; "" when n is ""."""
    return f'IF({n}="","",CHOOSE({n},{",".join(string(t) for t in texts)}))'


def held_by(reached: str, band: str, codes: Sequence[str]) -> str:
    """The code of the level whose missing key elements held the level reached below the band; "" if none."""
    return f'IF(OR({reached}="",{reached}={band}),"",CHOOSE({reached}+1,{",".join(string(c) for c in codes)}))'


def perceived(q: Optional[Question], layout: Layout, lists: Dict[str, Tuple[str, str]]) -> Optional[str]:
    """The perceived level answered, as its label in the workbook's language (however it was typed), or None
    when the form has no such question. lists: list name -> (labels, codes) of the dropdowns."""
    if q is None:
        return None
    labels, codes = lists[list_name(q)]
    code, typed = layout.ref(q.id), f"{quoted(layout.sheet)}!${ANSWER}${layout.question_row[q.id]}"
    return f'IF({code}="","",IFERROR(INDEX({labels},MATCH({code},{codes},0)),{typed}))'

