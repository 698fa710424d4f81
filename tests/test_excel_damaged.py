"""Workbooks damaged as people damage them: answers are placed where the template put them, or the return is
refused naming the cells; an answered workbook is never read as a blank return."""
from __future__ import annotations

import random

import pytest

from cpc_forms.catalogue import Code
from cpc_forms.channels import excel
from cpc_forms.synth import random_answers

from test_excel_read import canonical, edit, errors, row_of, split


def empty_ids(wb):
    ws = wb.worksheets[1]  # the questionnaire, whatever the workbook's language names it
    for r in range(5, ws.max_row + 1):
        ws[f"F{r}"] = None


def delete_hidden_columns(wb):
    wb.worksheets[1].delete_cols(6, 13)  # F..R of the questionnaire


def answered(form, seed: int) -> dict:
    rng = random.Random(seed)
    while True:
        answers = random_answers(form, rng)
        if sum(v not in (None, "", ()) for v in answers.values()) >= 5:
            return answers


@pytest.mark.parametrize("damage", [empty_ids, delete_hidden_columns], ids=["ids-emptied", "hidden-columns-deleted"])
@pytest.mark.parametrize("seed", range(3))
def test_answers_are_placed_by_question_number_and_row(any_form, damage, seed, tmp_path):
    for language in any_form.languages:
        answers = answered(any_form, seed)
        path = edit(excel.fill(any_form, answers, tmp_path / f"{language}.xlsx", language), damage)
        responses, issues = split(excel.read(path, {any_form.version: any_form}))
        assert errors(issues) == [] and len(responses) == 1
        assert dict(responses[0].answers) == canonical(any_form, answers)
        assert [i.code for i in issues if i.code == Code.EXCEL_IDS_RESTORED] == [Code.EXCEL_IDS_RESTORED]


def test_a_workbook_that_showed_question_ids_as_numbers_is_placed_too(form, tmp_path):
    answers = answered(form, 4)

    def earlier_layout(wb):  # workbooks written before the numbers showed the question id in column A
        ws = wb["Questionnaire"]
        for r in range(5, ws.max_row + 1):
            if form.question(ws[f"F{r}"].value or "") and ws[f"G{r}"].value is None:
                ws[f"A{r}"] = ws[f"F{r}"].value
        empty_ids(wb)
    path = edit(excel.fill(form, answers, tmp_path / "earlier.xlsx", "en"), earlier_layout)
    responses, issues = split(excel.read(path, {form.version: form}))
    assert errors(issues) == [] and dict(responses[0].answers) == canonical(form, answers)


def test_answers_that_cannot_be_placed_refuse_the_return_by_cell(form, tmp_path):
    answers = answered(form, 7)
    path = excel.fill(form, answers, tmp_path / "moved.xlsx", "en")
    moved = {}

    def damage(wb):
        ws = wb["Questionnaire"]
        first, second = [row_of(ws, q.id) for q in form.questions if q.kind == "select_one" and q.id in answers][:2]
        for col in "ABC":  # two answered rows swapped, then the ids emptied
            a, b = ws[f"{col}{first}"], ws[f"{col}{second}"]
            a.value, b.value = b.value, a.value
        moved.update(first=first, second=second)
        empty_ids(wb)
    responses, issues = split(excel.read(edit(path, damage), {form.version: form}))
    assert responses == []
    missing = [i for i in issues if i.code == Code.EXCEL_IDS_MISSING]
    assert len(missing) == 1 and missing[0].severity == "error"
    assert f"C{moved['first']}" in missing[0].message and f"C{moved['second']}" in missing[0].message
    assert "Questionnaire" in missing[0].message


def test_a_workbook_of_another_template_text_is_not_placed_by_position(form, tmp_path):
    path = excel.fill(form, answered(form, 8), tmp_path / "other.xlsx", "fr")

    def damage(wb):
        empty_ids(wb)
        meta = wb["_meta"]
        row = next(r for r in range(1, meta.max_row + 1) if meta[f"A{r}"].value == "spec_hash")
        meta[f"B{row}"] = "0" * 64
    responses, issues = split(excel.read(edit(path, damage), {form.version: form}))
    assert responses == [] and Code.EXCEL_IDS_MISSING in [i.code for i in issues]
