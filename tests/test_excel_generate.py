"""The generated workbook: sheets, rows by question id, dropdowns by range, protection, metadata, outputs."""
from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest

from cpc_forms.channels import excel
from cpc_forms.channels.excel.layout import quoted
from cpc_forms.channels.excel.texts import every, texts
from cpc_forms.collation import ordered
from cpc_forms.model import DATE, NUMERIC_KINDS, SELECT_MULTIPLE, SELECT_ONE
from cpc_forms.scoring import plan_for
from cpc_forms.spec import load_form

ROOT = Path(__file__).parent.parent
EDGE = Path(__file__).parent / "fixtures" / "excel" / "edge.json"
SHEETS = {"en": ["Instructions", "Questionnaire", "Results", "Lists", "_meta"],
          "fr": ["Instructions", "Questionnaire", "Résultats", "Listes", "_meta"],
          "es": ["Instrucciones", "Cuestionario", "Resultados", "Listas", "_meta"],
          "ar": ["التعليمات", "الاستبيان", "النتائج", "القوائم", "_meta"]}


def dump(path: Path) -> dict:
    """Everything a person or a formula sees in a workbook, cell by cell (never the bytes)."""
    wb = openpyxl.load_workbook(path)
    out = {"names": sorted((n, d.attr_text) for n, d in wb.defined_names.items()),
           "structure": bool(wb.security and wb.security.lockStructure)}
    for ws in wb.worksheets:
        out[ws.title] = {
            "state": ws.sheet_state, "protected": ws.protection.sheet,
            "cells": {c.coordinate: (c.value, c.data_type, c.protection.locked, c.number_format)
                      for row in ws.iter_rows() for c in row if c.value is not None or not c.protection.locked},
            "merged": sorted(str(m) for m in ws.merged_cells.ranges),
            "validations": sorted((str(v.sqref), v.type, v.formula1, v.formula2)
                                  for v in ws.data_validations.dataValidation),
            "formats": sorted((str(cf.sqref), tuple(r.formula for r in cf.rules)) for cf in ws.conditional_formatting),
            "hidden": sorted(k for k, d in ws.column_dimensions.items() if d.hidden),
            "print": (ws.print_title_rows, str(ws.print_area), ws.page_setup.fitToWidth),
        }
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("built")
    forms = {"default": load_form(ROOT / "spec" / "cpc_assessment.json"),
             "example": load_form(ROOT / "spec" / "examples" / "fire_safety.json"), "edge": load_form(EDGE)}
    return {name: (f, excel.generate(f, out / name)) for name, f in forms.items()}


@pytest.mark.parametrize("name", ["default", "example", "edge"])
def test_one_workbook_per_language(built, name):
    form, paths = built[name]
    assert [p.name for p in paths] == [f"{form.id}.{lang}.xlsx" for lang in form.languages]
    for path, language in zip(paths, form.languages, strict=True):
        wb = openpyxl.load_workbook(path)
        names = SHEETS[language]
        assert wb.sheetnames == names
        assert wb[names[3]].sheet_state == wb["_meta"].sheet_state == "hidden"
        assert wb[names[2]].sheet_state == ("visible" if form.shows_scores else "hidden")
        meta = {r[0].value: r[1].value for r in wb["_meta"].iter_rows()}
        assert (meta["form_id"], meta["form_version"], meta["language"], meta["spec_hash"]) == \
            (form.id, form.version, language, form.spec_hash)
        assert wb.defined_names["cpc_form_version"].attr_text == "_meta!$B$2"
        assert wb.security.lockStructure


@pytest.mark.parametrize("name", ["default", "example", "edge"])
def test_one_row_per_question_and_per_option_in_display_order(built, name):
    form, paths = built[name]
    ws = openpyxl.load_workbook(paths[0])["Questionnaire"]
    ids = [(ws[f"F{r}"].value, ws[f"G{r}"].value) for r in range(5, ws.max_row + 1) if ws[f"F{r}"].value]
    expected = []
    for s in form.sections:
        expected.append((s.id, None))
        for q in s.questions:
            expected.append((q.id, None))
            expected += [(q.id, c.code) for c in q.choices] if q.kind == SELECT_MULTIPLE else []
    assert ids == expected


def test_the_number_column_shows_question_numbers_people_recognise(built):
    form, paths = built["default"]
    ws = openpyxl.load_workbook(paths[0])["Questionnaire"]
    shown = {ws[f"F{r}"].value: ws[f"A{r}"].value for r in range(5, ws.max_row + 1)
             if form.question(ws[f"F{r}"].value or "") and ws[f"G{r}"].value is None}
    assert [shown[q] for q in ("country", "m1", "a1", "a2a", "a_comment", "b1a", "g1")] == \
        ["1.1", "2.1", "A1", "A2", "A9", "B1", "H1"]
    assert len(set(shown.values())) == len(form.questions)
    example, paths = built["example"]
    ws = openpyxl.load_workbook(paths[0])["Questionnaire"]
    assert [ws[f"A{r}"].value for r in range(5, ws.max_row + 1) if ws[f"F{r}"].value == "p_storage"] == ["2.1"]


@pytest.mark.parametrize("name", ["default", "example", "edge"])
def test_only_answer_and_note_cells_are_editable(built, name):
    form, paths = built[name]
    ws = openpyxl.load_workbook(paths[0])["Questionnaire"]
    assert ws.protection.sheet and ws.protection.password is None
    unlocked = {c.coordinate[0] for row in ws.iter_rows() for c in row if not c.protection.locked}
    assert unlocked == {"C", "D"}
    assert set("FGHIJKLMNO") <= {k for k, d in ws.column_dimensions.items() if d.hidden}


@pytest.mark.parametrize("name", ["default", "example", "edge"])
def test_dropdowns_reference_the_lists_sheet_in_the_workbook_language(built, name):
    form, paths = built[name]
    for path, language in zip(paths, form.languages, strict=True):
        wb = openpyxl.load_workbook(path)
        named = SHEETS[language][3]
        ws, lists = wb[SHEETS[language][1]], wb[named]
        rule = {}
        for dv in ws.data_validations.dataValidation:
            for cell in str(dv.sqref).split():
                rule[cell] = dv
        rows = {ws[f"F{r}"].value: r for r in range(5, ws.max_row + 1) if ws[f"G{r}"].value is None}
        for q in form.questions:
            dv = rule.get(f"C{rows[q.id]}")
            if q.kind == SELECT_ONE:
                assert dv.type == "list" and dv.formula1.startswith(f"{quoted(named)}!$")
                area = dv.formula1.split("!")[1].replace("$", "")
                labels = [c.value for row in lists[area] for c in row]
                listed = [c.label.get(language, c.code) for c in q.choices]
                if q.role == "country":  # in the alphabetical order of the workbook's language
                    pairs = [(c.code, name) for c, name in zip(q.choices, listed, strict=True)]
                    listed = [name for _, name in ordered(pairs, language)]
                assert labels == listed
                assert all(c.data_type == "s" for row in lists[area] for c in row)
            elif q.kind in NUMERIC_KINDS:
                assert dv.type == ("whole" if q.kind == "integer" else "decimal")
                if q.minimum is not None:
                    assert float(dv.formula1) == q.minimum
            elif q.kind == DATE:
                assert dv.type == "date"


def test_print_setup_repeats_the_heading_and_fits_the_width(built):
    ws = openpyxl.load_workbook(built["default"][1][0])["Questionnaire"]
    assert ws.print_title_rows == "$4:$4"
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage


def test_labels_that_start_with_equals_stay_text(built, tmp_path):
    form, _ = built["edge"]
    path = excel.fill(form, {"open": "y", "note": "=HYPERLINK(\"x\")"}, tmp_path / "f.xlsx", "es")
    wb = openpyxl.load_workbook(path)
    texts = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row
             if isinstance(c.value, str) and c.value.startswith("=") and c.data_type == "s"]
    assert {c.value for c in texts} >= {"=Sí", "=HYPERLINK(\"x\")"}


@pytest.mark.parametrize("language", ["en", "fr", "es", "ar"])
def test_committed_outputs_are_fresh(form, tmp_path, language):
    fresh = excel.generate(form, tmp_path)
    committed = ROOT / "outputs" / f"{form.id}.{language}.xlsx"
    assert committed.exists(), "run: python -m cpc_forms build"
    assert dump(committed) == dump(next(p for p in fresh if p.name == committed.name))


def test_every_sheet_prints_on_a4(any_form, tmp_path):
    for path in excel.generate(any_form, tmp_path):
        wb = openpyxl.load_workbook(path)
        assert {ws.title: ws.page_setup.paperSize for ws in wb} == {ws.title: 9 for ws in wb}, path.name


def _french_texts(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _french_texts(item)


@pytest.mark.parametrize("text", list(_french_texts(list(every()["fr"].values()))), ids=lambda t: t[:30])
def test_french_wording_puts_a_no_break_space_before_high_punctuation(text):
    assert not re.search(r"[^\u00a0\u202f][:;?!](\s|$)", text.replace("://", "")), text
    assert not re.search(r"«(?!\u00a0)|(?<!\u00a0)»", text), text


def _shown(wb, *sheets) -> str:
    return "\n".join(str(c.value) for name in sheets for row in wb[name].iter_rows() for c in row
                     if isinstance(c.value, str))


@pytest.mark.parametrize("live_scores", ["off", "live"])
def test_the_french_workbook_names_its_sheets_and_percentages_in_french(form, tmp_path, live_scores):
    form = replace(form, live_scores=live_scores)
    wb = openpyxl.load_workbook(excel.generate(form, tmp_path)[form.languages.index("fr")])
    shown = _shown(wb, "Instructions", "Résultats")
    assert "«\u00a0Questionnaire\u00a0»" in shown and "Results" not in shown
    # the instructions name the results sheet only where respondents see it
    assert ("«\u00a0Résultats\u00a0»" in _shown(wb, "Instructions")) == (live_scores == "live")
    assert wb["Résultats"].sheet_state == ("visible" if live_scores == "live" else "hidden")
    assert f"{plan_for(form).completeness.value * 100:.0f}\u00a0%" in shown
    meta = {r[0].value: r[1].value for r in wb["_meta"].iter_rows()}
    assert (meta["results"], meta["lists"]) == ("Résultats", "Listes")


@pytest.mark.parametrize("language", ["en", "fr", "es", "ar"])
def test_the_country_hint_says_what_both_spreadsheet_programs_do(built, language):
    form, paths = built["default"]
    if language not in form.languages:
        pytest.fail(f"the default spec has no {language} texts")
    ws = openpyxl.load_workbook(paths[form.languages.index(language)])[SHEETS[language][1]]
    [text] = [ws[f"B{r}"].value for r in range(5, ws.max_row + 1) if ws[f"F{r}"].value == "country"]
    assert texts(language)["search"] in text
    assert "search" not in text.split("\n", 1)[1].lower() and "chercher" not in text
