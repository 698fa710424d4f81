"""The small sheets of the workbook: Instructions, Results, the hidden Lists and metadata."""
from __future__ import annotations

import unicodedata
from typing import List, Tuple

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.workbook.defined_name import DefinedName

from ... import collation, conditions
from ...model import SELECT_MULTIPLE, Form, Question
from ...returns import fold
from ...scoring import plan_for
from . import formulas as fx
from .layout import (
    LAYOUT_VERSION,
    LISTS,
    META,
    QUESTIONNAIRE,
    R_ANSWERED,
    R_APPLICABLE,
    R_COMPLETE,
    R_DK,
    R_DKMAX,
    R_FIRST,
    R_HAS,
    R_HIGH,
    R_KEY,
    R_LABEL,
    R_LOW,
    R_VALUE,
    R_WEIGHT,
    R_WM,
    R_WS,
    R_WSCORE,
    RESULTS,
    YES_LIST,
    Layout,
    list_columns,
    list_name,
    list_ranges,
    score_columns,
    sheet_name,
)
from .texts import unmarked

TITLE = Font(bold=True, size=14)
BOLD = Font(bold=True)
HEAD_FILL = PatternFill("solid", fgColor="1F4E79")
HEAD_FONT = Font(bold=True, color="FFFFFF")
WRAP = Alignment(wrap_text=True, vertical="top")


def put(ws, ref: str, value, **style):
    """Write a value as data: text that starts with '=' stays text, never a formula."""
    cell = ws[ref]
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"
    for key, v in style.items():
        setattr(cell, key, v)
    return cell


def formula(ws, ref: str, text: str, **style):
    """Write a formula (given without its '=')."""
    cell = ws[ref]
    cell.value = "=" + text
    for key, v in style.items():
        setattr(cell, key, v)
    return cell


def lines(text: str, width: float) -> int:
    """How many lines a text wraps to in a column of this width (an estimate: no app tells us)."""
    return sum(max(1, -(-len(part) // max(1, int(width * 1.1)))) for part in str(text).split("\n"))


def fit_page(ws, orientation: str = "portrait") -> None:
    """Print setup: fit to the page width, as many pages down as needed."""
    ws.page_setup.orientation = orientation
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.5


def fit_height(ws, r: int, *texts_and_widths) -> None:
    """Give a row the height its wrapped texts need (Excel does not grow rows on open)."""
    ws.row_dimensions[r].height = 15 * max(lines(t, w) for t, w in texts_and_widths) + 3


def instructions(ws, form: Form, language: str, t: dict) -> None:
    """What the assessment is, how to fill and return it, and where its content comes from."""
    ws.column_dimensions["A"].width = 72  # fits a portrait page unscaled
    rows = [(form.title.get(language, ""), TITLE),
             (t["stamp"].format(id=form.id, version=form.version, language=language), None), ("", None),
             (t["about_title"], BOLD), (form.description.get(language, ""), None), ("", None),
             (t["how_title"], BOLD)]
    names = {"questionnaire": sheet_name(QUESTIONNAIRE, language), "results": sheet_name(RESULTS, language)}
    how = t["how"] + ([t["how_results"]] if form.shows_scores else [])  # a hidden Results sheet goes unnamed
    rows += [("• " + text.format(yes=t["yes"], **names), None) for text in how]
    rows += [("", None), (t["return_title"], BOLD), (t["return"], None)]
    for n, (text, font) in enumerate(rows, start=1):
        put(ws, f"A{n}", text, alignment=WRAP, **({"font": font} if font else {}))
        fit_height(ws, n, (text, 72))
    ws.protection.sheet = True
    ws.print_area = f"A1:A{len(rows)}"
    fit_page(ws)


def lists(ws, form: Form, language: str, t: dict) -> None:
    """Choice labels (this language) and codes, one pair of columns per list: the dropdowns' source."""
    columns = list_columns(form)
    for q in form.questions:
        if q.choices and q.kind != SELECT_MULTIPLE and columns.get(list_name(q)):
            labels, codes, _ = columns.pop(list_name(q))
            put(ws, f"{labels}1", list_name(q))
            others = [lang for lang in form.languages if lang != language]
            every = [(c.label.get(lang, c.code), c.code) for lang in others for c in q.choices]
            every = [(label, code) for code, label in dropdown(q, language)] + every
            folded = [(unmarked(fold(label)), code) for label, code in every]
            # then decomposed, as a Mac or a pasted PDF may type a label: the reader composes (NFC) what it reads
            every += folded + [(unicodedata.normalize("NFD", label), code) for label, code in folded]
            for n, (label, code) in enumerate(every, start=2):
                put(ws, f"{labels}{n}", label)  # rows past the first language's: lookup only
                put(ws, f"{codes}{n}", code)
    labels, codes, _ = columns[YES_LIST]
    put(ws, f"{labels}1", YES_LIST)
    put(ws, f"{labels}2", t["yes"])
    put(ws, f"{codes}2", "1")
    for qid, (codes, points, pairs) in score_columns(form).items():  # the plan's points of each choice
        put(ws, f"{codes}1", qid)
        for n, (code, value) in enumerate(pairs, start=2):
            put(ws, f"{codes}{n}", code)
            ws[f"{points}{n}"] = value
    ws.sheet_state = "hidden"
    ws.protection.sheet = True


def dropdown(q: Question, language: str) -> List[Tuple[str, str]]:
    """A choice list's (code, label) pairs as its drop-down shows them, in the workbook language's order."""
    return [(c.code, c.label.get(language, c.code)) for c in collation.in_order(q, language)]


def meta(wb, ws, form: Form, language: str) -> None:
    """Form id, version, language and spec hash, in a hidden sheet and as defined names."""
    rows = [("form_id", form.id), ("form_version", form.version), ("language", language),
            ("spec_hash", form.spec_hash), ("layout", LAYOUT_VERSION),
            ("questionnaire", sheet_name(QUESTIONNAIRE, language)),
            ("generator", "cpc-forms"), ("results", sheet_name(RESULTS, language)),
            ("lists", sheet_name(LISTS, language))]
    for n, (key, value) in enumerate(rows, start=1):
        put(ws, f"A{n}", key)
        put(ws, f"B{n}", str(value))
        wb.defined_names[f"cpc_{key}"] = DefinedName(f"cpc_{key}", attr_text=f"{META}!$B${n}")
    ws.sheet_state = "hidden"
    ws.protection.sheet = True


def level_rows(ws, form: Form, layout: Layout, index: str, r: int) -> str:
    """Hidden rows from r on: the index's level band, whether each level's key elements are there, the level
    reached and the level that held it back (scoring.gated); the cell of the number of the level reached."""
    plan = plan_for(form)
    codes = [b.value for b in plan.levels]
    rows = [("band_n", fx.band_number(index, plan.levels))]
    required = [(n, gate) for n, gate in enumerate(plan.gates, start=1) if gate is not None]
    gates = {n: f"{R_VALUE}{r + len(rows) + k}" for k, (n, _) in enumerate(required)}
    rows += [(f"gate:{codes[n - 1]}", f"IF({conditions.to_excel(gate, form, layout.ref)},1,0)") for n, gate in required]
    band, reached = f"{R_VALUE}{r}", f"{R_VALUE}{r + len(rows)}"
    rows += [("level_n", fx.gated_number(band, gates)), ("band_level", fx.choose(band, codes)),
             ("held_by", fx.held_by(reached, band, codes))]
    for n, (key, text) in enumerate(rows):
        formula(ws, f"{R_VALUE}{r + n}", text)
        put(ws, f"{R_KEY}{r + n}", key)
        ws.row_dimensions[r + n].hidden = True
    return reached


def results(ws, form: Form, language: str, t: dict, layout: Layout) -> None:
    """Live scores: per section, then the overall index, level and perceived level; keys in column K."""
    put(ws, "A1", t["results_heading"].format(results=t["results"], title=form.title.get(language, "")), font=TITLE)
    heads = [t["section"], t["score"], t["completeness"], t["answered"], t["applicable"]]
    for col, text in zip("ABCDE", heads):
        put(ws, f"{col}3", text, font=HEAD_FONT, fill=HEAD_FILL, alignment=WRAP)
    r, plan = R_FIRST, plan_for(form)
    for s, scoring in zip(form.scored_sections, plan.sections):
        first, last = layout.section_rows[s.id]
        sums = fx.section_sums(first, last, layout.sheet)
        put(ws, f"{R_LABEL}{r}", s.label.get(language, s.id), alignment=WRAP)
        for col, key in ((R_WS, "ws"), (R_WM, "wm"), (R_ANSWERED, "answered"), (R_APPLICABLE, "applicable"),
                         (R_DK, "dont_know"), (R_DKMAX, "unknown")):
            formula(ws, f"{col}{r}", sums[key])
        formula(ws, f"{R_COMPLETE}{r}", f'IF({R_APPLICABLE}{r}=0,"",{R_ANSWERED}{r}/{R_APPLICABLE}{r})',
                number_format=t["percent_format"])
        formula(ws, f"{R_VALUE}{r}", fx.section_score(f"{R_WS}{r}", f"{R_WM}{r}", f"{R_COMPLETE}{r}",
                                                       f"{R_APPLICABLE}{r}", plan.completeness),
                number_format="0.0", font=BOLD)
        for col, text in zip((R_LOW, R_HIGH), fx.bounds(f"{R_VALUE}{r}", f"{R_WS}{r}", f"{R_WM}{r}", f"{R_DKMAX}{r}")):
            formula(ws, f"{col}{r}", text)
        formula(ws, f"{R_HAS}{r}", f"IF(ISNUMBER({R_VALUE}{r}),1,0)")
        formula(ws, f"{R_WSCORE}{r}", f"IF({R_HAS}{r}=1,{fx.number(scoring.weight)}*{R_VALUE}{r},0)")
        formula(ws, f"{R_WEIGHT}{r}", f"IF({R_HAS}{r}=1,{fx.number(scoring.weight)},0)")
        put(ws, f"{R_KEY}{r}", f"section:{s.id}")
        r += 1
    span = lambda col: f"${col}${R_FIRST}:${col}${r - 1}"  # noqa: E731
    idx, lvl = r + 1, r + 2
    put(ws, f"{R_LABEL}{idx}", t["index"], font=BOLD)
    formula(ws, f"{R_VALUE}{idx}", fx.index(span(R_HAS), span(R_WSCORE), span(R_WEIGHT), plan.min_sections),
            number_format="0.0", font=BOLD)
    put(ws, f"{R_KEY}{idx}", "index")
    reached = level_rows(ws, form, layout, f"{R_VALUE}{idx}", lvl + 6)
    put(ws, f"{R_LABEL}{lvl}", t["level"], font=BOLD)
    formula(ws, f"{R_VALUE}{lvl}", fx.choose(reached, [lv.label.get(language, lv.code) for lv in form.levels]),
            font=BOLD)
    put(ws, f"{R_KEY}{lvl}", "level")
    formula(ws, f"{R_VALUE}{lvl + 1}", fx.choose(reached, [lv.code for lv in form.levels]))
    put(ws, f"{R_KEY}{lvl + 1}", "level_code")
    ws.row_dimensions[lvl + 1].hidden = True
    seen = fx.perceived(form.role("perceived_level"), layout, list_ranges(form, sheet_name(LISTS, language)))
    if seen:
        put(ws, f"{R_LABEL}{lvl + 2}", t["perceived"])
        formula(ws, f"{R_VALUE}{lvl + 2}", seen)
        put(ws, f"{R_KEY}{lvl + 2}", "perceived")
    threshold = t["percent"].format(100 * plan.completeness.value)
    put(ws, f"A{lvl + 4}", t["insufficient_note"].format(threshold=threshold, min=plan.min_sections), alignment=WRAP)
    ws.merge_cells(f"A{lvl + 4}:E{lvl + 4}")
    fit_height(ws, lvl + 4, (ws[f"A{lvl + 4}"].value, 90))
    for col, width in zip("ABCDE", (46, 14, 14, 12, 12)):
        ws.column_dimensions[col].width = width
    for col in "FGHIJKLMNO":
        ws.column_dimensions[col].hidden = True
    ws.protection.sheet = True
    ws.print_area = f"A1:E{lvl + 4}"
    fit_page(ws)
    if not form.shows_scores:
        ws.sheet_state = "hidden"  # the spec asks not to show scores to respondents; still computed
