"""progress.xlsx: the progress report as a workbook a steering committee can sort and filter, in the reader's
language (right to left in Arabic): a sheet of every country's sections and index in each round with their bounds
and the change, one of level moves, one of gaps, one of the first round's recommendations and what followed."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from ..report.labels import Labels
from .changes import GapChange, Progress
from .html import GAPS, MOVES, TRENDS, section_name, words

NAME, NUMBER, TEXT = 28, 14, 70  # column widths, in characters


def _sheet(book: Workbook, title: str, heads: Sequence[str], rows: List[List[Any]], widths: Sequence[int],
           rtl: bool) -> None:
    """One sheet: a bold frozen header row with a filter, then the rows; text cells stay text (never formulas)."""
    ws = book.create_sheet(title[:31])
    ws.sheet_view.rightToLeft = rtl
    for r, values in enumerate([list(heads), *rows], start=1):
        for c, value in enumerate(values, start=1):
            cell = ws.cell(r, c)
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"  # a text starting with '=' is shown as written, not run
            elif isinstance(value, float):
                cell.number_format = "0.0"  # shown to one decimal as everywhere else, kept at full precision
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if r == 1:
                cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    for c, width in enumerate(widths, start=1):
        ws.column_dimensions[ws.cell(1, c).column_letter].width = width


def _rows(p: Progress, L: Labels, S: Dict[str, str]) -> Dict[str, List[List[Any]]]:
    sections, levels, gaps, recs = [], [], [], []
    for c in p.countries:
        name = L.country(c.country)
        for ch in [*c.sections, c.index]:
            sections.append([name, section_name(L, ch.section), ch.old, ch.old_low, ch.old_high, ch.new, ch.new_low,
                             ch.new_high, ch.change, S[TRENDS[ch.trend]]])
        lv = c.level
        levels.append([name, *(L.level(x) if x else "" for x in (lv.old, lv.new, lv.old_band, lv.new_band,
                                                                  lv.old_held_by, lv.new_held_by)),
                       S[MOVES[lv.move]]])
        gaps += [[name, section_name(L, g.section), g.old, g.new, S[GAPS[g.status]]] for g in c.gaps if _shown(g)]
        recs += [[name, section_name(L, f.section), f.change.old, f.change.new, f.change.change,
                  S["followed_yes" if f.improved else "followed_no"], f.handbook_ref,
                  f.text.get(L.lang) or f.text.get(L.form.default_language, "")] for f in c.followed]
    return {"sheet_sections": sections, "sheet_levels": levels, "sheet_gaps": gaps, "sheet_recommendations": recs}


def _shown(g: GapChange) -> bool:
    return g.old is not None or g.new is not None


def write(p: Progress, L: Labels, path: Path) -> Path:
    """Write progress.xlsx."""
    S = words(L.lang)
    first, second = (side.round or S["unnamed_round"] for side in (p.old, p.new))
    one, two = f"{S['first_round']} ({first})", f"{S['second_round']} ({second})"
    heads = {
        "sheet_sections": [S["country"], S["section"], one, S["low_bound"].format(round=first),
                           S["high_bound"].format(round=first), two, S["low_bound"].format(round=second),
                           S["high_bound"].format(round=second), S["change"], S["trend"]],
        "sheet_levels": [S["country"], f"{S['level_reached']}: {one}", f"{S['level_reached']}: {two}",
                         f"{S['band']}: {one}", f"{S['band']}: {two}", f"{S['held_by']}: {one}",
                         f"{S['held_by']}: {two}", S["level"]],
        "sheet_gaps": [S["country"], S["section"], f"{S['gap']}: {one}", f"{S['gap']}: {two}", S["status"]],
        "sheet_recommendations": [S["country"], S["section"], one, two, S["change"], S["outcome"], S["handbook"],
                                  S["recommendation"]],
    }
    widths = {"sheet_sections": [NAME, NAME] + [NUMBER] * 8, "sheet_levels": [NAME] * 8,
              "sheet_gaps": [NAME, NAME, NUMBER, NUMBER, NUMBER],
              "sheet_recommendations": [NAME, NAME, NUMBER, NUMBER, NUMBER, NAME, NUMBER, TEXT]}
    book = Workbook()
    book.remove(book.worksheets[0])  # the empty sheet a new workbook has
    for key, rows in _rows(p, L, S).items():
        _sheet(book, S[key], heads[key], rows, widths[key], L.dir == "rtl")
    book.save(path)
    return Path(path)
